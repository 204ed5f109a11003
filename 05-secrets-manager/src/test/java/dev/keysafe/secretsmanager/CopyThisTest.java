package dev.keysafe.secretsmanager;

import dev.keysafe.testkit.docs.CopyThisContract;

/** The README's "Copy this" files are the whole lesson package and compile alone, without the audit's JDBC driver. */
class CopyThisTest extends CopyThisContract {

    @Override
    protected String lessonPackage() {
        return "src/main/java/dev/keysafe/secretsmanager";
    }
}
