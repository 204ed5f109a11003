package dev.keysafe.proxy;

import dev.keysafe.testkit.docs.CopyThisContract;

/**
 * The README's "Copy this" files are the whole lesson package, and compile alone against Javalin,
 * Jackson, OkHttp and SLF4J: no store, limit, monitor, admin or page is needed to learn (or copy) the proxy.
 */
class CopyThisTest extends CopyThisContract {

    @Override
    protected String lessonPackage() {
        return "src/main/java/dev/keysafe/proxy";
    }
}
