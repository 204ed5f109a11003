package dev.keysafe.workshop.quiz;

import java.util.List;

/**
 * The workshop's quiz: multiple-choice questions, each with the explanation shown after it is
 * answered. {@code ./kit quiz} asks them; {@code workshop/QUIZ.md} is {@link #markdown()}, and a
 * test keeps the two identical.
 */
final class Quiz {

    /** One question: its text, its choices, which one is right (0-based), and why. */
    record Question(String text, List<String> choices, int answer, String explanation) {
    }

    static final List<Question> QUESTIONS = List.of(
            new Question("You committed a key, noticed at once, and deleted it in the next commit. What now?",
                    List.of("Nothing: the file no longer holds it",
                            "Revoke the key and make a new one, then clean history",
                            "Make the repository private",
                            "Add the file to .gitignore"),
                    1, "Git keeps every version: the key is in history, in every clone and fork. Revoke first, since"
                            + " you cannot know who copied it; then clean history (lab 01)."),
            new Question("Where should a command-line tool or server read its OpenAI key from?",
                    List.of("A constant in the code, in a class nobody opens",
                            "A config file committed next to the code",
                            "An environment variable such as OPENAI_API_KEY, or a secrets manager",
                            "A command-line argument: --api-key=sk-..."),
                    2, "A constant ends up in the jar and git history (module 01); a command-line argument is visible"
                            + " to every user of the machine (ps). The environment or a secrets manager keeps it out"
                            + " of code and history (modules 02, 05)."),
            new Question("A call fails and the upstream's error message is printed for the user. Why is that a leak?",
                    List.of("It is not: error messages are safe",
                            "OpenAI's 401 answer repeats the key it was sent, masked; other bodies may quote more",
                            "Only because it is rude to the user",
                            "It slows the program down"),
                    1, "The 401 body echoes the key (first characters ... last four): a fingerprint of your key in"
                            + " every log. Say what failed in your own words (lab 02)."),
            new Question("Which .gitignore keeps local keys out of git but still shares the template?",
                    List.of(".env only",
                            "*.example",
                            ".env, .env.* and !.env.example",
                            "Nothing: .env files are never committed by accident"),
                    2, ".env and its variants (.env.local, .env.production) are ignored; the ! rule keeps"
                            + " .env.example, the file of names without values, in the repository (module 03, lab 03)."),
            new Question("Staging has no key configured. What should the program do?",
                    List.of("Use the production key so that staging works",
                            "Use any key it can find",
                            "Stop at start-up with a message naming OPENAI_API_KEY_STAGING",
                            "Call the API without a key"),
                    2, "A fallback spends production's budget and hides a missing configuration. Fail fast and name"
                            + " the variable (module 04, lab 04)."),
            new Question("A web page or mobile app needs the model. Where does the key go?",
                    List.of("In the page's JavaScript, obfuscated",
                            "In the app's bundled resources",
                            "On your server, which calls OpenAI for the app (a proxy with its own limits)",
                            "In the browser's local storage"),
                    2, "Anything shipped to a browser or phone can be read by its user. Keep the key on the server;"
                            + " clients get short-lived tokens of your own (module 06)."),
            new Question("Which limits the damage when a key does leak?",
                    List.of("A longer key",
                            "Spend limits, per-key rate limits, separate keys per service and usage alerts",
                            "Base64-encoding the key",
                            "Changing the variable's name"),
                    1, "You cannot make a leak impossible, but you can cap it: budgets, rate limits, least-privilege"
                            + " keys, and monitoring that notices a spike (practices P10-P12)."),
            new Question("How should a team rotate a key without an outage?",
                    List.of("Revoke the old key, then deploy the new one",
                            "Add the new key, move every service to it, verify, then revoke the old one",
                            "Never rotate: it is risky",
                            "Share one key so there is only one to rotate"),
                    1, "During a transition both keys work; retire the old one only once nothing uses it (module 05,"
                            + " the breach drill)."),
            new Question("What does a pre-commit hook like ./kit hooks install add?",
                    List.of("It makes leaks impossible",
                            "It blocks a commit that adds a key-shaped string, on that developer's machine",
                            "It removes keys from history",
                            "It revokes leaked keys"),
                    1, "It is a first line of defence, one machine at a time (and --no-verify skips it). Teams add"
                            + " server-side checks: GitHub push protection, gitleaks or trufflehog in CI."));

    private Quiz() {
    }

    /** The quiz as Markdown, for slides and reading: each answer and its explanation under a fold. */
    static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# keysafe quiz\n\n");
        md.append("The questions of `./kit quiz`, for slides or reading. This file is generated from\n");
        md.append("`workshop/src/main/java/dev/keysafe/workshop/quiz/Quiz.java` (`./kit quiz --markdown > workshop/QUIZ.md`);\n");
        md.append("a test fails when they differ.\n");
        for (int i = 0; i < QUESTIONS.size(); i++) {
            Question q = QUESTIONS.get(i);
            md.append("\n## ").append(i + 1).append(". ").append(q.text()).append("\n\n");
            for (int c = 0; c < q.choices().size(); c++) {
                md.append("- ").append(letter(c)).append(") ").append(q.choices().get(c)).append('\n');
            }
            md.append("\n<details><summary>Answer</summary>\n\n");
            md.append("**").append(letter(q.answer())).append(")** ").append(q.explanation()).append("\n\n");
            md.append("</details>\n");
        }
        return md.toString();
    }

    static char letter(int index) {
        return (char) ('A' + index);
    }
}
