package dev.keysafe.hardcoded;

/**
 * The place module 01 keeps its key: a constant in the source code. This is the mistake the whole
 * kit exists to prevent. The value is a fake in the kit's demo format (no real OpenAI key looks
 * like it), but a real key written here would escape in exactly the same ways.
 */
public final class HardcodedKey {

    // MISTAKE 1 (fixed by 02-env-vars, 03-dotenv, 05-secrets-manager): the key is written into the
    // code. The compiler copies it into every class that reads it, the jar carries it, and git keeps
    // it in history even after this line is deleted. Rotating it means a rebuild and a redeploy.
    public static final String API_KEY = "sk-keysafe-demo-DoNotCopyThisFakeKeyIntoYourCode"; // keysafe:allow demo key of the negative control

    private HardcodedKey() {
    }
}
