package dev.keysafe.testkit.leaks;

/** The channels a key leaks through, numbered as in the kit's leak-channel list (C1-C22). */
public enum Channel {
    C1("upstream error body forwarded to the client"),
    C2("stack trace or error page returned to a client"),
    C3("debug or config endpoint"),
    C4("heap or thread dump reachable over HTTP"),
    C5("the browser: page, scripts, storage, cookies, responses"),
    C6("a request from the browser carrying the key or going to the vendor"),
    C7("logs: application, library and SDK debug logging"),
    C8("toString() or JSON of an object holding the key"),
    C9("exception messages and causes"),
    C10("credentials forwarded on a redirect to another host"),
    C11("process command line and JVM arguments"),
    C12("environment inherited by a child process"),
    C13("crash reports and files written during a run"),
    C14("files in the repository working tree"),
    C15("git history"),
    C16("build artifacts: class files, jars, test reports"),
    C17("container image layers"),
    C18("CI output"),
    C19("telemetry and audit records"),
    C20("caches and temp files"),
    C21("the wrong key, or a client token, sent upstream"),
    C22("admin endpoints reachable with a client token");

    private final String description;

    Channel(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
