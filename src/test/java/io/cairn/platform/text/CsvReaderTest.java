package io.cairn.platform.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

    private static List<List<String>> read(String csv) {
        CsvReader reader = new CsvReader(new StringReader(csv));
        List<List<String>> records = new ArrayList<>();
        String[] r;
        while ((r = reader.next()) != null) {
            records.add(Arrays.asList(r));
        }
        return records;
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaks() {
        assertThat(read("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\r\nline\",z"))
                .containsExactly(List.of("a", "b"), List.of("x, y", "say \"hi\""), List.of("multi\r\nline", "z"));
    }

    @Test
    void emptyUnquotedIsNullAndQuotedEmptyIsEmpty() {
        assertThat(read("a,b,c\r\n,\"\",x\r\n")).containsExactly(List.of("a", "b", "c"), Arrays.asList(null, "", "x"));
    }

    @Test
    void aByteOrderMarkIsSkippedAndRecordLinesAreCounted() {
        CsvReader reader = new CsvReader(new StringReader("\uFEFFa\n\"1\n2\"\n3\n"));
        assertThat(reader.next()).containsExactly("a");
        assertThat(reader.next()).containsExactly("1\n2");
        assertThat(reader.recordLine()).isEqualTo(2);
        assertThat(reader.next()).containsExactly("3");
        assertThat(reader.recordLine()).isEqualTo(4);
        assertThat(reader.next()).isNull();
    }

    @Test
    void recordsLongerThanTheBufferAreRead() {
        String big = "x".repeat(200_000);
        assertThat(read("a,b\n" + big + "," + big + "\n").get(1)).containsExactly(big, big);
    }

    @Test
    void brokenQuotingIsRejected() {
        assertThatThrownBy(() -> read("a\n\"open")).hasMessageContaining("never closed");
        assertThatThrownBy(() -> read("a\n\"x\"y\n")).hasMessageContaining("after a closing quote");
        assertThatThrownBy(() -> read("a\nx\"y\n")).hasMessageContaining("quote inside an unquoted field");
    }

    @Test
    void aBlankLineIsOneNullFieldAndABomBeforeAQuoteIsSkipped() {
        assertThat(read("\uFEFF\"a\",b\n\n1,2\n")).containsExactly(List.of("a", "b"), Arrays.asList((String) null),
                List.of("1", "2"));
    }

    @Test
    void fieldsAndRecordsOverTheLimitsNameTheirLine() {
        String longField = "x".repeat(CsvReader.MAX_FIELD_CHARS + 1);
        assertThatThrownBy(() -> read("a\nb\n" + longField + "\n")).hasMessageContaining("line 3")
                .hasMessageContaining("a field is longer than");
        String nearLimit = "y".repeat(CsvReader.MAX_FIELD_CHARS - 10);
        String longRecord = String.join(",", java.util.Collections.nCopies(9, nearLimit));
        assertThatThrownBy(() -> read("a\n" + longRecord + "\n")).hasMessageContaining("line 2")
                .hasMessageContaining("longer than " + CsvReader.MAX_RECORD_CHARS);
        // Past FastCSV's own buffer, in one field: refused without holding it all.
        String huge = "\"" + "z".repeat(CsvReader.MAX_RECORD_CHARS + CsvReader.MAX_FIELD_CHARS + 10) + "\"";
        assertThatThrownBy(() -> read("a\n" + huge + "\n")).hasMessageContaining("line 2")
                .hasMessageContaining("longer than");
    }
}
