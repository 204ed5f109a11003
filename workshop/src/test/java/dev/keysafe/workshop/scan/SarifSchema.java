package dev.keysafe.workshop.scan;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks the SARIF 2.1.0 JSON schema (sarif-schema-2.1.0.json, OASIS) implies for the objects
 * {@code ./kit scan --format sarif} writes, written out here because the kit runs offline and
 * carries no schema validator. For each object: only the properties the schema defines (it sets
 * {@code additionalProperties: false} on all of them), the required ones, their types, enums,
 * minimums, {@code uniqueItems}, and the {@code uri} / {@code uri-reference} formats.
 * Returns every violation, with its JSON path; an empty list means valid.
 */
final class SarifSchema {

    /** Each definition the report uses: its properties (the schema's names) and which are required. */
    private record Definition(Set<String> properties, Set<String> required) {
    }

    private static final Map<String, Definition> DEFINITIONS = Map.ofEntries(
            Map.entry("sarifLog", new Definition(Set.of("$schema", "version", "runs", "inlineExternalProperties",
                    "properties"), Set.of("version", "runs"))),
            Map.entry("run", new Definition(Set.of("tool", "invocations", "conversion", "language",
                    "versionControlProvenance", "originalUriBaseIds", "artifacts", "logicalLocations", "graphs",
                    "results", "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
                    "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
                    "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
                    "translations", "policies", "webRequests", "webResponses", "specialLocations", "properties"),
                    Set.of("tool"))),
            Map.entry("tool", new Definition(Set.of("driver", "extensions", "properties"), Set.of("driver"))),
            Map.entry("toolComponent", new Definition(Set.of("guid", "name", "organization", "product",
                    "productSuite", "shortDescription", "fullDescription", "fullName", "version", "semanticVersion",
                    "dottedQuadFileVersion", "releaseDateUtc", "downloadUri", "informationUri",
                    "globalMessageStrings", "notifications", "rules", "taxa", "locations", "language", "contents",
                    "isComprehensive", "localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion",
                    "associatedComponent", "translationMetadata", "supportedTaxonomies", "properties"),
                    Set.of("name"))),
            Map.entry("reportingDescriptor", new Definition(Set.of("id", "deprecatedIds", "guid", "deprecatedGuids",
                    "name", "deprecatedNames", "shortDescription", "fullDescription", "messageStrings",
                    "defaultConfiguration", "helpUri", "help", "relationships", "properties"), Set.of("id"))),
            Map.entry("multiformatMessageString", new Definition(Set.of("text", "markdown", "properties"),
                    Set.of("text"))),
            Map.entry("reportingConfiguration", new Definition(Set.of("enabled", "level", "rank", "parameters",
                    "properties"), Set.of())),
            Map.entry("result", new Definition(Set.of("ruleId", "ruleIndex", "rule", "kind", "level", "message",
                    "analysisTarget", "locations", "guid", "correlationGuid", "occurrenceCount",
                    "partialFingerprints", "fingerprints", "stacks", "codeFlows", "graphs", "graphTraversals",
                    "relatedLocations", "suppressions", "baselineState", "rank", "attachments", "hostedViewerUri",
                    "workItemUris", "provenance", "fixes", "taxa", "webRequest", "webResponse", "properties"),
                    Set.of("message"))),
            Map.entry("message", new Definition(Set.of("text", "markdown", "id", "arguments", "properties"),
                    Set.of())),
            Map.entry("location", new Definition(Set.of("id", "physicalLocation", "logicalLocations", "message",
                    "annotations", "relationships", "properties"), Set.of())),
            Map.entry("physicalLocation", new Definition(Set.of("address", "artifactLocation", "region",
                    "contextRegion", "properties"), Set.of())),
            Map.entry("artifactLocation", new Definition(Set.of("uri", "uriBaseId", "index", "description",
                    "properties"), Set.of())),
            Map.entry("region", new Definition(Set.of("startLine", "startColumn", "endLine", "endColumn",
                    "charOffset", "charLength", "byteOffset", "byteLength", "snippet", "message", "sourceLanguage",
                    "properties"), Set.of())));

    private static final Set<String> LEVELS = Set.of("none", "note", "warning", "error");

    private final List<String> violations = new ArrayList<>();

    private SarifSchema() {
    }

    /** Every way {@code log} breaks the schema; empty when it is valid. */
    static List<String> violations(JsonNode log) {
        SarifSchema schema = new SarifSchema();
        schema.sarifLog(log);
        return schema.violations;
    }

    private void sarifLog(JsonNode log) {
        if (!object(log, "sarifLog", "$")) {
            return;
        }
        uri(log.get("$schema"), "$.$schema", true);
        if (!"2.1.0".equals(log.path("version").asText(null))) {
            violations.add("$.version: must be \"2.1.0\"");
        }
        for (JsonNode run : array(log.get("runs"), "$.runs", false)) {
            run(run, "$.runs[]");
        }
    }

    private void run(JsonNode run, String at) {
        if (!object(run, "run", at)) {
            return;
        }
        JsonNode tool = run.get("tool");
        if (object(tool, "tool", at + ".tool")) {
            toolComponent(tool.get("driver"), at + ".tool.driver");
        }
        JsonNode bases = run.get("originalUriBaseIds");
        if (bases != null) {
            bases.fields().forEachRemaining(base -> artifactLocation(base.getValue(), at + ".originalUriBaseIds."
                    + base.getKey()));
        }
        for (JsonNode result : array(run.get("results"), at + ".results", false)) {
            result(result, at + ".results[]");
        }
    }

    private void toolComponent(JsonNode driver, String at) {
        if (!object(driver, "toolComponent", at)) {
            return;
        }
        string(driver.get("name"), at + ".name");
        string(driver.get("version"), at + ".version");
        uri(driver.get("informationUri"), at + ".informationUri", true);
        for (JsonNode rule : array(driver.get("rules"), at + ".rules", true)) {
            reportingDescriptor(rule, at + ".rules[]");
        }
    }

    private void reportingDescriptor(JsonNode rule, String at) {
        if (!object(rule, "reportingDescriptor", at)) {
            return;
        }
        string(rule.get("id"), at + ".id");
        string(rule.get("name"), at + ".name");
        for (String text : List.of("shortDescription", "fullDescription", "help")) {
            if (rule.has(text) && object(rule.get(text), "multiformatMessageString", at + "." + text)) {
                string(rule.get(text).get("text"), at + "." + text + ".text");
            }
        }
        uri(rule.get("helpUri"), at + ".helpUri", true);
        JsonNode configuration = rule.get("defaultConfiguration");
        if (configuration != null && object(configuration, "reportingConfiguration", at + ".defaultConfiguration")) {
            level(configuration.get("level"), at + ".defaultConfiguration.level");
        }
        propertyBag(rule.get("properties"), at + ".properties");
    }

    private void result(JsonNode result, String at) {
        if (!object(result, "result", at)) {
            return;
        }
        string(result.get("ruleId"), at + ".ruleId");
        if (result.has("ruleIndex") && (!result.get("ruleIndex").isInt() || result.get("ruleIndex").asInt() < -1)) {
            violations.add(at + ".ruleIndex: an integer >= -1");
        }
        level(result.get("level"), at + ".level");
        JsonNode message = result.get("message");
        if (object(message, "message", at + ".message") && !message.has("text") && !message.has("id")) {
            violations.add(at + ".message: needs text or id");
        }
        for (JsonNode location : array(result.get("locations"), at + ".locations", false)) {
            if (object(location, "location", at + ".locations[]")) {
                JsonNode physical = location.get("physicalLocation");
                if (physical != null && object(physical, "physicalLocation", at + ".locations[].physicalLocation")) {
                    artifactLocation(physical.get("artifactLocation"), at + ".locations[].physicalLocation.artifactLocation");
                    region(physical.get("region"), at + ".locations[].physicalLocation.region");
                }
            }
        }
        JsonNode fingerprints = result.get("partialFingerprints");
        if (fingerprints != null) {
            if (!fingerprints.isObject()) {
                violations.add(at + ".partialFingerprints: an object");
            } else {
                fingerprints.fields().forEachRemaining(f -> string(f.getValue(), at + ".partialFingerprints." + f.getKey()));
            }
        }
        propertyBag(result.get("properties"), at + ".properties");
    }

    private void artifactLocation(JsonNode location, String at) {
        if (location != null && object(location, "artifactLocation", at)) {
            uri(location.get("uri"), at + ".uri", false);
            if (location.has("uriBaseId")) {
                string(location.get("uriBaseId"), at + ".uriBaseId");
            }
        }
    }

    private void region(JsonNode region, String at) {
        if (region != null && object(region, "region", at)) {
            for (String line : List.of("startLine", "startColumn", "endLine", "endColumn")) {
                if (region.has(line) && (!region.get(line).isInt() || region.get(line).asInt() < 1)) {
                    violations.add(at + "." + line + ": an integer >= 1");
                }
            }
        }
    }

    private void propertyBag(JsonNode bag, String at) {
        if (bag == null) {
            return;
        }
        if (!bag.isObject()) {
            violations.add(at + ": a property bag is an object");
            return;
        }
        if (bag.has("tags")) {
            for (JsonNode tag : array(bag.get("tags"), at + ".tags", true)) {
                string(tag, at + ".tags[]");
            }
        }
    }

    /** True when {@code node} is an object with only its definition's properties and all the required ones. */
    private boolean object(JsonNode node, String definition, String at) {
        if (node == null || !node.isObject()) {
            violations.add(at + ": must be a " + definition + " object");
            return false;
        }
        Definition defined = DEFINITIONS.get(definition);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!defined.properties().contains(name)) {
                violations.add(at + "." + name + ": not a property of " + definition + " (additionalProperties: false)");
            }
        }
        for (String required : defined.required()) {
            if (!node.has(required)) {
                violations.add(at + ": " + definition + " requires " + required);
            }
        }
        return true;
    }

    private List<JsonNode> array(JsonNode node, String at, boolean unique) {
        List<JsonNode> items = new ArrayList<>();
        if (node == null) {
            return items;
        }
        if (!node.isArray()) {
            violations.add(at + ": must be an array");
            return items;
        }
        node.forEach(items::add);
        if (unique && new HashSet<>(items).size() != items.size()) {
            violations.add(at + ": items must be unique");
        }
        return items;
    }

    private void string(JsonNode node, String at) {
        if (node != null && !node.isTextual()) {
            violations.add(at + ": must be a string");
        }
    }

    private void level(JsonNode node, String at) {
        if (node != null && !LEVELS.contains(node.asText())) {
            violations.add(at + ": one of " + LEVELS);
        }
    }

    /** {@code format: uri} (absolute) or {@code uri-reference} (relative allowed). */
    private void uri(JsonNode node, String at, boolean absolute) {
        if (node == null) {
            return;
        }
        string(node, at);
        try {
            URI uri = new URI(node.asText());
            if (absolute && !uri.isAbsolute()) {
                violations.add(at + ": must be an absolute URI");
            }
        } catch (URISyntaxException e) {
            violations.add(at + ": not a URI: " + e.getMessage());
        }
    }
}
