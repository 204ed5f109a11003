package dev.keysafe.proxy.limits;

import dev.keysafe.common.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The price table: what a request to each model costs, in nano-dollars (10<sup>-9</sup> USD) per
 * token, so sums are exact integers. It comes from {@code prices.properties} beside this class,
 * or from the file the operator names in PROXY_PRICES_FILE. A model with no price cannot be
 * given to a token: its cost could not be capped.
 */
public final class Prices {

    /** The price of one model, per input and per output token. */
    public record Price(long inputNanoUsd, long outputNanoUsd) {
    }

    private final Map<String, Price> byModel;

    private Prices(Map<String, Price> byModel) {
        this.byModel = Map.copyOf(byModel);
    }

    /** The table shipped with the proxy. */
    public static Prices defaults() {
        try (InputStream in = Prices.class.getResourceAsStream("/prices.properties")) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "the built-in price table");
        } catch (IOException e) {
            throw new IllegalStateException("prices.properties is missing from the jar", e);
        }
    }

    /** The table in {@code file}, in the format of the built-in one. */
    public static Prices load(Path file) {
        try {
            return parse(Files.readString(file), "PROXY_PRICES_FILE");
        } catch (IOException e) {
            throw new ConfigException("PROXY_PRICES_FILE names a file that cannot be read. Point it at a copy "
                    + "of 06-server-proxy/src/main/resources/prices.properties.");
        }
    }

    static Prices parse(String text, String origin) {
        Properties properties = new Properties();
        try (Reader reader = new StringReader(text)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Price> prices = new TreeMap<>();
        for (String model : properties.stringPropertyNames()) {
            String[] parts = properties.getProperty(model).strip().split("\\s+");
            if (parts.length != 2) {
                throw new ConfigException(origin + ": the line for " + model + " needs two numbers, USD per "
                        + "1M input tokens and USD per 1M output tokens (e.g. 0.15 0.60).");
            }
            prices.put(model, new Price(perTokenNano(parts[0], origin, model), perTokenNano(parts[1], origin, model)));
        }
        return new Prices(prices);
    }

    /** A price per million tokens in USD, as nano-dollars per token, rounded up so costs are never low. */
    private static long perTokenNano(String usdPerMillion, String origin, String model) {
        try {
            BigDecimal usd = new BigDecimal(usdPerMillion);
            if (usd.signum() < 0) {
                throw new NumberFormatException();
            }
            // USD per 1e6 tokens -> 1e9 nano-USD per 1e6 tokens -> 1e3 nano-USD per token
            return usd.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(origin + ": the price of " + model + " is not a non-negative number.");
        }
    }

    public Optional<Price> of(String model) {
        return Optional.ofNullable(byModel.get(model));
    }

    public boolean knows(String model) {
        return byModel.containsKey(model);
    }

    /** What {@code inputTokens} in and {@code outputTokens} out cost on {@code model}. */
    public long cost(String model, long inputTokens, long outputTokens) {
        Price price = byModel.get(model);
        if (price == null) {
            throw new IllegalArgumentException("no price for model " + model);
        }
        return Math.addExact(Math.multiplyExact(inputTokens, price.inputNanoUsd()),
                Math.multiplyExact(outputTokens, price.outputNanoUsd()));
    }

    @Override
    public String toString() {
        return "Prices" + byModel.keySet();
    }
}
