package dev.keysafe.proxy.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The spike monitor's counts in the database every instance shares (table {@code request_minutes}):
 * each request adds one to its token's row for the minute in one statement that also answers the
 * baseline, and the minute's alert is claimed by one conditional update, so the fleet raises it once.
 */
final class PostgresMinuteCounts implements MinuteCounts {

    private final Sql sql;

    PostgresMinuteCounts(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Tally add(String tokenId, long minute, int lookBack) {
        // The sums read the rows as they were before this statement's insert: the minutes before, and
        // the first minute kept (this one, when the token has no earlier row).
        return sql.query("WITH counted AS (INSERT INTO request_minutes (token_id, minute, requests) VALUES (?, ?, 1) "
                + "ON CONFLICT (token_id, minute) DO UPDATE SET requests = request_minutes.requests + 1 RETURNING "
                + "requests) SELECT (SELECT requests FROM counted), (SELECT coalesce(sum(requests), 0) FROM "
                + "request_minutes WHERE token_id = ? AND minute >= ? AND minute < ?), (SELECT coalesce(min(minute), ?) "
                + "FROM request_minutes WHERE token_id = ?)", row -> new Tally(row.getLong(1), row.getLong(2),
                row.getLong(3)), tokenId, minute, tokenId, minute - lookBack, minute, minute, tokenId).get(0);
    }

    @Override
    public boolean claimAlert(String tokenId, long minute) {
        return sql.update("UPDATE request_minutes SET alerted = TRUE WHERE token_id = ? AND minute = ? AND NOT alerted",
                tokenId, minute) > 0;
    }

    @Override
    public List<Long> series(String tokenId, long from, long to) {
        Map<Long, Long> counts = new HashMap<>();
        sql.query("SELECT minute, requests FROM request_minutes WHERE token_id = ? AND minute BETWEEN ? AND ?",
                row -> counts.put(row.getLong(1), row.getLong(2)), tokenId, from, to);
        List<Long> series = new ArrayList<>();
        for (long m = from; m <= to; m++) {
            series.add(counts.getOrDefault(m, 0L));
        }
        return series;
    }

    @Override
    public int deleteBefore(long minute, int batch) {
        return sql.update("DELETE FROM request_minutes WHERE ctid IN (SELECT ctid FROM request_minutes WHERE minute < ? "
                + "LIMIT ?)", minute, batch);
    }
}
