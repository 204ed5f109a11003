package com.example.faq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Answers already given, by question, in a small JSON file, so a repeated question costs nothing. */
final class AnswerCache {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final ObjectNode answers;

    AnswerCache(Path file) {
        this.file = file;
        this.answers = read(file);
    }

    Optional<String> get(String question) {
        return Optional.ofNullable(answers.get(question)).map(node -> node.asText());
    }

    void put(String question, String answer) {
        answers.put(question, answer);
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), answers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode read(Path file) {
        try {
            return Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
        } catch (IOException | ClassCastException e) {
            return JSON.createObjectNode();
        }
    }
}
