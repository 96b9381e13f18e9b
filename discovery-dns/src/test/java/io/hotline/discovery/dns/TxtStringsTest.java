package io.hotline.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;

class TxtStringsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, String> roundTrip(Map<String, String> entries) throws Exception {
        TXTRecord r = new TXTRecord(Name.fromConstantString("x.example."), DClass.IN, 5, TxtStrings.encode(entries));
        // Through the wire form, as a reader gets it.
        TXTRecord back = (TXTRecord) org.xbill.DNS.Record.fromWire(r.toWireCanonical(), org.xbill.DNS.Section.ANSWER);
        return TxtStrings.decode((List<byte[]>) back.getStringsAsByteArrays());
    }

    @Test
    void everyValueComesBackExactly() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("empty", "");
        m.put("eq", "a=b=c");
        m.put("quotes", "\"q\" \\ \\n");
        m.put("controls", "\u0000\u0001\n\r\t\u007f");
        m.put("unicode", "Zürich 你好 \ud83d\ude00");
        m.put("long", "v".repeat(4096));
        m.put("long4", "\ud83d\ude00".repeat(2048));
        m.put("plus", "+starts with plus");
        assertThat(roundTrip(m)).containsExactlyEntriesOf(m);
    }

    @Test
    void everyStringFitsInto255Octets() {
        for (String s : TxtStrings.encode(Map.of("k", "\u4f60".repeat(1000)))) {
            assertThat(s.replaceAll("\\\\\\d{3}", "x").getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        }
    }

    @Test
    void foreignStringsAreRefused() {
        assertThatThrownBy(() -> TxtStrings.decode(List.of("no equals".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("not key=value");
        assertThatThrownBy(() -> TxtStrings.decode(List.of("+x".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("continuation");
        assertThatThrownBy(() -> TxtStrings.decode(List.of(new byte[] {'k', '=', (byte) 0xff})))
                .hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> TxtStrings.decode(List.of("k=1".getBytes(StandardCharsets.UTF_8),
                "k=2".getBytes(StandardCharsets.UTF_8)))).hasMessageContaining("twice");
    }
}
