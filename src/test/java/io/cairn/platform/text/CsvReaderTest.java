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
}
