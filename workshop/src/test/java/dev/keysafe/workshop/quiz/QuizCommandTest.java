package dev.keysafe.workshop.quiz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kit quiz}: asks, explains, scores; and {@code workshop/QUIZ.md} cannot drift from it. */
class QuizCommandTest {

    @TempDir
    Path dir;

    private Result quiz(String input, String... args) {
        return Fixtures.kitAnswering(dir, input, "quiz", args);
    }

    private static String answers(boolean right) {
        return Quiz.QUESTIONS.stream()
                .map(q -> String.valueOf(Quiz.letter(right ? q.answer() : (q.answer() + 1) % q.choices().size())))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void every_right_answer_scores_full_marks_with_an_explanation_after_each() {
        Result result = quiz(answers(true).toLowerCase());

        assertThat(result.exitCode()).isZero();
        int total = Quiz.QUESTIONS.size();
        assertThat(result.out()).contains("Question 1 of " + total, "Score: " + total + " of " + total);
        for (Quiz.Question q : Quiz.QUESTIONS) {
            assertThat(result.out()).contains(q.text(), "Right. " + q.explanation());
        }
    }

    @Test
    void wrong_answers_show_the_right_letter_and_a_bad_letter_is_asked_again() {
        Result result = quiz("Z\n\n" + answers(false));

        assertThat(result.exitCode()).isZero();
        Quiz.Question first = Quiz.QUESTIONS.get(0);
        assertThat(result.out()).contains("Type one letter, A to D.",
                "Not quite: the answer is " + Quiz.letter(first.answer()) + ". " + first.explanation(),
                "Score: 0 of " + Quiz.QUESTIONS.size());
    }

    @Test
    void input_ending_early_stops_with_the_score_so_far_and_exit_64() {
        Result result = quiz(String.valueOf(Quiz.letter(Quiz.QUESTIONS.get(0).answer())) + "\n");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.out()).contains("Quiz stopped at question 2: 1 of 1 right so far.");
    }

    @Test
    void every_question_has_one_right_answer_among_its_choices() {
        assertThat(Quiz.QUESTIONS).hasSizeGreaterThanOrEqualTo(8).allSatisfy(q -> {
            assertThat(q.choices()).hasSizeBetween(3, 4).doesNotHaveDuplicates();
            assertThat(q.answer()).isBetween(0, q.choices().size() - 1);
            assertThat(q.explanation()).isNotBlank();
        });
    }

    @Test
    void quiz_md_is_exactly_what_the_kit_asks() throws Exception {
        Path file = Fixtures.root().resolve("workshop/QUIZ.md");

        assertThat(Files.readString(file)).as("workshop/QUIZ.md is stale: regenerate it with"
                + " ./kit quiz --markdown > workshop/QUIZ.md").isEqualTo(Quiz.markdown());
        assertThat(quiz("", "--markdown").out()).isEqualTo(Quiz.markdown());
    }
}
