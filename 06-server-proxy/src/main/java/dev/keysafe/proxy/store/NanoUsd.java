package dev.keysafe.proxy.store;

import dev.keysafe.common.ConfigException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money as the store keeps it: whole nano-dollars (10<sup>-9</sup> USD), so budgets, spend and
 * costs add up exactly. US dollars only where a person reads or writes an amount.
 */
public final class NanoUsd {

    private NanoUsd() {
    }

    /** {@code usd} ("0.50") as nano-dollars; a {@link ConfigException} naming {@code setting} when it is not an amount. */
    public static long fromUsd(String usd, String setting) {
        try {
            BigDecimal value = new BigDecimal(usd.strip());
            if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
                throw new NumberFormatException();
            }
            return value.movePointRight(9).setScale(0, RoundingMode.DOWN).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(setting + " must be an amount of US dollars from 0 to 1000000, such as 0.05.");
        }
    }

    /** Nano-dollars as a USD amount for people and JSON. */
    public static BigDecimal toUsd(long nano) {
        return BigDecimal.valueOf(nano, 9).stripTrailingZeros();
    }
}
