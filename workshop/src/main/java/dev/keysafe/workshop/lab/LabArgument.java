package dev.keysafe.workshop.lab;

import dev.keysafe.workshop.Workspace;
import picocli.CommandLine.Parameters;

/**
 * The optional argument N of {@code lab check}, {@code lab hint} and {@code lab solution}: a lab's
 * number or name; left out, the lab whose folder the learner is in, else the one they started last.
 */
final class LabArgument {

    @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "The lab (default: see above).")
    String id;

    /** The lab N means, and how it was chosen when N was left out. */
    WhichLab which(Workspace workspace) {
        return WhichLab.of(workspace, id);
    }
}
