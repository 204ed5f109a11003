package dev.keysafe.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of a module README's "Copy this into your project" section, checked: it names every
 * file of the module's lesson (its top-level package) and nothing of the subpackages, and those
 * files, with the few {@code common/} files it lists, compile on their own against only the
 * dependencies it names. A module's {@code CopyThisTest} extends this and names its lesson package.
 */
public abstract class CopyThisContract {

    /** The lesson's package folder, relative to the module, e.g. {@code src/main/java/dev/keysafe/envvars}. */
    protected abstract String lessonPackage();

    /** The module's folder; Maven runs tests from it. */
    protected Path moduleDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    @Test
    void readme_lists_every_file_of_the_lesson_and_nothing_of_its_subpackages() {
        ReadmeSection section = ReadmeSection.copyThis(moduleDir().resolve("README.md"));
        Path lesson = moduleDir().resolve(lessonPackage()).toAbsolutePath().normalize();

        Set<Path> listedFromModule = new TreeSet<>();
        for (Path file : section.files()) {
            if (file.startsWith(moduleDir())) {
                listedFromModule.add(file);
            }
        }
        assertThat(listedFromModule).as("the module files the README's 'Copy this' lists")
                .containsExactlyElementsOf(CopyThis.filesOf(lesson));
    }

    @Test
    void the_files_it_lists_compile_alone_with_only_the_dependencies_it_names(@TempDir Path scratch) {
        ReadmeSection section = ReadmeSection.copyThis(moduleDir().resolve("README.md"));
        DependencyTree tree = DependencyTree.read(moduleDir().resolve("target/dependency-tree.txt"));

        CopyThis.Result result = CopyThis.compile(section, tree, CopyThis.thisClassPath(), scratch);

        assertThat(result.copied()).as("files copied").hasSameSizeAs(section.files()).isNotEmpty();
        assertThat(result.errors()).as("javac, with only %s on the class path", section.dependencies()).isEmpty();
    }
}
