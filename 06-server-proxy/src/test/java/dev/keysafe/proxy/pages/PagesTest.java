package dev.keysafe.proxy.pages;

import static dev.keysafe.proxy.app.TestProxy.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.proxy.app.ProxyFixture;
import dev.keysafe.proxy.limits.Prices;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What the pages need from the server besides the admin API: their files, an icon, and what a chat session allows. */
class PagesTest extends ProxyFixture {

    static final Prices.Price MINI = Prices.defaults().of("gpt-4o-mini").orElseThrow();

    @Test
    void the_icon_is_served_at_both_names_browsers_ask_for() {
        for (String path : new String[] {"/favicon.ico", "/favicon.svg"}) {
            HttpResponse<String> icon = proxy.get(path, null);

            assertThat(icon.statusCode()).as(path).isEqualTo(200);
            assertThat(icon.headers().firstValue("Content-Type")).as(path).hasValue("image/svg+xml");
            assertThat(icon.body()).as(path).startsWith("<svg");
        }
    }

    @Test
    void the_dashboards_scripts_are_files_it_names_and_the_server_serves() {
        String page = proxy.get("/admin", null).body();
        HttpResponse<String> view = proxy.get("/admin-view.js", null);

        assertThat(page).contains("<script type=\"module\" src=\"/admin.js\"></script>").doesNotContain("<script>")
                .contains("href=\"/favicon.svg\"");
        assertThat(proxy.get("/admin.js", null).body()).contains("from \"./admin-view.js\"");
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/javascript"));
    }

    @Test
    void a_session_says_its_output_cap_its_budget_and_how_much_conversation_may_go_with_a_question() {
        JsonNode session = json(proxy.post("/session", null, ""));

        assertThat(session.path("max_tokens").asInt()).isEqualTo(Pages.SESSION_MAX_TOKENS);
        assertThat(session.path("budget_usd").decimalValue()).isEqualByComparingTo("0.05");
        assertThat(session.path("conversation_bytes").asLong()).isEqualTo(Pages.MAX_CONVERSATION_BYTES);
    }

    @Test
    void the_conversation_is_bounded_so_a_session_affords_ten_questions_and_none_when_it_cannot() {
        // $0.01 a session: a tenth is 1,000,000 nano-dollars; 512 output tokens at 600 take 307,200;
        // the rest pays 4,618 input tokens at 150, less 256 bytes around the messages.
        assertThat(Pages.conversationBytes(MINI, 10_000_000)).isEqualTo(4_362);
        assertThat(Pages.conversationBytes(MINI, 50_000_000)).isEqualTo(Pages.MAX_CONVERSATION_BYTES);
        assertThat(Pages.conversationBytes(MINI, 3_000_000)).as("too small: each question stands alone").isZero();
        assertThat(Pages.conversationBytes(new Prices.Price(0, 0), 0)).isEqualTo(Pages.MAX_CONVERSATION_BYTES);
    }
}
