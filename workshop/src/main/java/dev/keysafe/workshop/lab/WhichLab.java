package dev.keysafe.workshop.lab;

import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which lab a learner means when a lab command names none: the lab whose folder they are in
 * ({@code labs-work/NN-name/} or below it), else the one they started last.
 *
 * @param lab the lab
 * @param why how it was chosen, for a note: empty when the learner named it
 */
record WhichLab(Lab lab, String why) {

    /** The lab {@code id} names, or, when it is null, the one the learner's folder or progress points at. */
    static WhichLab of(Workspace workspace, String id) {
        if (id != null) {
            return new WhichLab(Labs.require(id), "");
        }
        Optional<Lab> here = folderOf(LabCommand.home(workspace).resolve("labs-work"), workspace.workingDir());
        if (here.isPresent()) {
            return new WhichLab(here.get(), "the lab whose folder you are in");
        }
        Optional<Lab> last = new Progress(LabCommand.home(workspace)).load().lastStarted().flatMap(Labs::find);
        if (last.isPresent()) {
            return new WhichLab(last.get(), "the lab you started last");
        }
        throw new KitException("which lab? You are not in a lab's folder and have started none. Labs: "
                + Labs.LABS.stream().map(Lab::id).collect(Collectors.joining(", "))
                + "; begin with ./kit lab start 01 (./kit lab list says what each is).");
    }

    /** The lab whose copy holds {@code dir}, if any. */
    static Optional<Lab> folderOf(Path labsWork, Path dir) {
        Path base = real(labsWork);
        Path here = real(dir);
        if (!here.startsWith(base) || here.equals(base)) {
            return Optional.empty();
        }
        return Labs.LABS.stream().filter(l -> l.name().equals(base.relativize(here).getName(0).toString())).findFirst();
    }

    /** The path with links resolved when it exists, so a link to the checkout still counts. */
    private static Path real(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            return Files.exists(absolute) ? absolute.toRealPath() : absolute;
        } catch (IOException e) {
            return absolute;
        }
    }

    /** Tells the learner of {@code ./kit lab command} which lab this is, when they did not name it. */
    void printNote(PrintWriter out, String command) {
        if (!why.isEmpty()) {
            out.println("lab " + lab.id() + ", " + why + " (for another: ./kit lab " + command + " N)");
        }
    }
}
