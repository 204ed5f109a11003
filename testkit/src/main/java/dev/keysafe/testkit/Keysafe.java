package dev.keysafe.testkit;

import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStub.JournalEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One test's proof that an app keeps its OpenAI key: a fresh throwaway key ({@link #key()}), a
 * running OpenAI stub that accepts it ({@link #baseUrl()}), ways to run your app
 * ({@link #app(String)}) and call your server ({@link #answers()}), and one check of every channel
 * the key could have reached ({@link #assertKeyReachedOpenAiAndNowhereElse()}). JUnit gives it to
 * test methods of a {@link KeysafeTest} class.
 */
public final class Keysafe {

    private final Canary key;
    private final OpenAiStub stub;
    private final List<AppRun> runs = new CopyOnWriteArrayList<>();
    private final Answers answers = new Answers();
    private final List<String[]> extraTexts = new CopyOnWriteArrayList<>();

    /** For tests that manage their own stub; a {@link KeysafeTest} class gets one per test. */
    public Keysafe(Canary key, OpenAiStub stub) {
        this.key = key;
        this.stub = stub;
    }

    /** The throwaway key of this test: give it to your app ({@code key().value()}), never print it. */
    public Canary key() {
        return key;
    }

    /** The stub's base URL, {@code http://127.0.0.1:PORT/v1}: give it to your app as {@code OPENAI_BASE_URL}. */
    public String baseUrl() {
        return stub.baseUrl();
    }

    /** The OpenAI stub itself: faults to switch on, keys to accept or revoke. */
    public OpenAiStub openAi() {
        return stub;
    }

    /** Every request the stub received, in order, each with the bearer it carried (printed as a fingerprint). */
    public List<JournalEntry> upstreamRequests() {
        return stub.journal();
    }

    /** A launch of your app's {@code mainClass} in a JVM of its own, pointed at the stub; call {@code run()}. */
    public AppLaunch app(String mainClass) {
        return new AppLaunch(mainClass, this, runs::add);
    }

    /** A client for a server your test started; every answer it gets is checked too. */
    public Answers answers() {
        return answers;
    }

    /** Adds text your test captured some other way (an in-process log, a report) to the check, as {@code where}. */
    public void alsoCheck(String where, String text) {
        extraTexts.add(new String[] {where, text == null ? "" : text});
    }

    /** Every place the key was found so far: each run's outputs, command line and files, the answers, upstream. */
    public List<Finding> leaks() {
        List<Finding> found = new ArrayList<>();
        for (AppRun run : runs) {
            found.addAll(Detectors.inLines(key, Channel.C1, "stdout", run.stdout()));
            found.addAll(Detectors.inLines(key, Channel.C7, "stderr", run.stderr()));
            found.addAll(Detectors.inCommandLine(key, run.commandLine()));
            for (Path file : run.filesWritten()) {
                Path shown = run.workingDir().relativize(file);
                Channel channel = shown.startsWith(".tmp") ? Channel.C20 : Channel.C13;
                found.addAll(Detectors.inLines(key, channel, "file " + shown, Detectors.readLatin1(file)));
            }
        }
        for (Answers.Answer answer : answers.all()) {
            String to = "answer to " + answer.method() + " " + answer.path();
            for (Map.Entry<String, List<String>> header : answer.headers().entrySet()) {
                found.addAll(Detectors.inText(key, Channel.C1, to + " header " + header.getKey(),
                        String.join(", ", header.getValue())));
            }
            found.addAll(Detectors.inLines(key, Channel.C1, to + " body", answer.body()));
        }
        for (String[] text : extraTexts) {
            found.addAll(Detectors.inLines(key, Channel.C7, text[0], text[1]));
        }
        for (JournalEntry entry : stub.journal()) {
            if (!entry.bearer().equals(key.value())) {
                found.add(new Finding(Channel.C21, "upstream " + entry.method() + " " + entry.path(),
                        entry.bearer().isEmpty() ? "no key at all" : "a key other than the test's"));
            }
        }
        for (JournalEntry entry : stub.journalElsewhere()) {
            if (!key.formsIn(entry.bearer()).isEmpty()) {
                found.add(new Finding(Channel.C10, "redirect target " + entry.method() + " " + entry.path(),
                        "Authorization header"));
            }
        }
        return found;
    }

    /**
     * The one check: the key reached the OpenAI stub (so the app really called it with the key)
     * and appears in no other place this test saw. Fails naming each channel and place, with
     * the key shown masked only.
     */
    public void assertKeyReachedOpenAiAndNowhereElse() {
        List<String> problems = new ArrayList<>();
        if (stub.journal().stream().noneMatch(e -> e.bearer().equals(key.value()))) {
            problems.add("the key never reached the OpenAI stub (" + stub.journal().size() + " requests there): "
                    + "the app did not call OpenAI with it, so nothing here proves it keeps the key. Give it "
                    + "the key and OPENAI_BASE_URL=" + baseUrl());
        }
        for (Finding leak : leaks()) {
            problems.add(leak.where() + ": the key, " + leak.form() + " (" + leak.channel() + ", "
                    + leak.channel().description() + ")");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("The key " + key.maskedForm() + " did not stay between the app and OpenAI:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    @Override
    public String toString() {
        return "Keysafe[" + key + ", stub " + baseUrl() + ", " + runs.size() + " runs, " + answers.all().size()
                + " answers]";
    }
}
