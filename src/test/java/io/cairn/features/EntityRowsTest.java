package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EntityRowsTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final EntityRows rows = new EntityRows(Map.of("driver_id", ValueType.INT64),
            List.of("driver_id", "event_timestamp", "label"), json);

    @Test
    void aPassThroughCellIsTheJsonStringJacksonWrites() {
        for (String cell : List.of("", "0", "1", "label with spaces", "a,b", "quote\"d", "back\\slash", "sl/ash",
                "tab\there", "new\nline", "\u0001", "ünïcødé", "emoji \uD83D\uDE00", "~!@#$%^&*()_+{}|:<>?")) {
            assertThat(rows.jsonString(cell)).as(cell).isEqualTo(json.writeValueAsString(cell));
        }
    }

    @Test
    void aCsvCellGoesToItsSlotAsJson() {
        Object[] row = rows.newRow();
        rows.setText(row, 0, "1001");
        rows.setText(row, 1, "2026-01-01T00:00:00Z");
        rows.setText(row, 2, "yes");
        assertThat(row).containsExactly(1L, 1001L, java.time.Instant.parse("2026-01-01T00:00:00Z"), "\"yes\"");
    }
}
