package dev.keysafe.workshop.quiz;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.Workspace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./kit quiz}: the workshop's quiz, one question at a time, with the reason after each. */
@Command(name = "quiz", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true,
        description = {"A short multiple-choice quiz on keeping API keys safe.",
            "Type the letter of your answer and press Enter; the explanation follows each answer, the score comes at"
                    + " the end. The same questions are in workshop/QUIZ.md, for slides."},
        footerHeading = "%nExamples:%n",
        footer = {"  ./kit quiz", "  ./kit quiz --markdown > workshop/QUIZ.md   regenerate the Markdown", "",
            "Exit codes:", "  0   finished (whatever the score)", "  64  the input ended before the last question"})
public final class QuizCommand implements Callable<Integer> {

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    @Option(names = "--markdown", description = "Print the quiz as Markdown (the text of workshop/QUIZ.md) and exit.")
    boolean markdown;

    QuizCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (markdown) {
            out.print(Quiz.markdown());
            out.flush();
            return ExitCode.OK;
        }
        BufferedReader in = workspace.answers();
        int total = Quiz.QUESTIONS.size();
        int right = 0;
        for (int i = 0; i < total; i++) {
            Quiz.Question q = Quiz.QUESTIONS.get(i);
            out.println();
            out.println("Question " + (i + 1) + " of " + total + ": " + q.text());
            for (int c = 0; c < q.choices().size(); c++) {
                out.println("  " + Quiz.letter(c) + ") " + q.choices().get(c));
            }
            int chosen = -1;
            while (chosen < 0) {
                out.print("Your answer (" + Quiz.letter(0) + "-" + Quiz.letter(q.choices().size() - 1) + "): ");
                out.flush();
                String line = in.readLine();
                if (line == null) {
                    out.println();
                    out.println("Quiz stopped at question " + (i + 1) + ": " + right + " of " + i + " right so far.");
                    out.flush();
                    return ExitCode.KIT_USAGE;
                }
                String answer = line.strip().toUpperCase(Locale.ROOT);
                if (answer.length() == 1 && answer.charAt(0) >= 'A' && answer.charAt(0) < 'A' + q.choices().size()) {
                    chosen = answer.charAt(0) - 'A';
                } else {
                    out.println("Type one letter, " + Quiz.letter(0) + " to " + Quiz.letter(q.choices().size() - 1) + ".");
                }
            }
            if (chosen == q.answer()) {
                right++;
                out.println("Right. " + q.explanation());
            } else {
                out.println("Not quite: the answer is " + Quiz.letter(q.answer()) + ". " + q.explanation());
            }
        }
        out.println();
        out.println("Score: " + right + " of " + total + ". " + (right == total ? "All right: well done."
                : "The explanations above point to the module or lab that shows each practice."));
        out.flush();
        return ExitCode.OK;
    }
}
