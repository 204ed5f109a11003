package dev.keysafe.workshop.tour;

import dev.keysafe.testkit.Canary;
import java.util.List;
import java.util.Map;

/**
 * Makes a module's output line safe to print in a report: every form of the run's keys is
 * replaced by a label, and a line that still holds a key in some other disguise is withheld.
 */
final class Redactor {

    private final List<Canary> keys;

    Redactor(List<Canary> keys) {
        this.keys = List.copyOf(keys);
    }

    String redact(String line) {
        String safe = line;
        for (Canary key : keys) {
            for (Map.Entry<String, String> form : key.searchForms().entrySet()) {
                String label = form.getKey().startsWith("masked") ? "<key, masked>" : "<key>";
                safe = safe.replace(form.getValue(), label);
            }
        }
        for (Canary key : keys) {
            if (!key.formsIn(safe).isEmpty()) {
                return "(line withheld: it holds the key, " + String.join(", ", key.formsIn(safe)) + ")";
            }
        }
        // Whole, never cut: the report wraps it.
        return safe.strip();
    }
}
