package dev.keysafe.dotenv;

import dev.keysafe.testkit.docs.CopyThisContract;

/** The README's "Copy this into your project" files compile alone, and name the whole lesson. */
class CopyThisTest extends CopyThisContract {

    @Override
    protected String lessonPackage() {
        return "src/main/java/dev/keysafe/dotenv";
    }
}
