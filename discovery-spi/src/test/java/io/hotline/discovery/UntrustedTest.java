package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTest {

    @Test
    void lineBreaksAndOtherControlCharactersCannotStartALogLine() {
        assertThat(Untrusted.escape("nope\nFORGED WARN x\r\n\t\u0000\u001b[31m\u0085\u2028\u202e"))
                .isEqualTo("nope\\nFORGED WARN x\\r\\n\\t\\u0000\\u001b[31m\\u0085\\u2028\\u202e");
    }

    @Test
    void escapingAnEscapedValueChangesNothing() {
        String once = Untrusted.escape("id 'x\ny' is invalid");
        assertThat(Untrusted.escape("ignored: " + once)).isEqualTo("ignored: id 'x\\ny' is invalid");
    }

    @Test
    void plainTextAndSurrogatePairsStayAsTheyAre() {
        String plain = "nova.compute host-1:8080 région 😀";
        assertThat(Untrusted.escape(plain)).isSameAs(plain);
    }

    @Test
    void loneSurrogatesAreEscaped() {
        assertThat(Untrusted.escape("a\ud800b\udc00")).isEqualTo("a\\ud800b\\udc00");
    }

    @Test
    void longValuesAreCutAndSayHowLongTheyWere() {
        String huge = "m".repeat(900_000);
        assertThat(Untrusted.excerpt(huge)).isEqualTo("m".repeat(Untrusted.EXCERPT_LIMIT) + "...(900000 characters)");
        assertThat(Untrusted.escape(huge)).startsWith("m".repeat(Untrusted.LOG_LIMIT) + "...(");
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String value = "m".repeat(Untrusted.EXCERPT_LIMIT - 1) + "😀tail";
        assertThat(Untrusted.excerpt(value)).isEqualTo("m".repeat(Untrusted.EXCERPT_LIMIT - 1) + "...(69 characters)");
    }

    @Test
    void nullIsWrittenAsNull() {
        assertThat(Untrusted.excerpt(null)).isEqualTo("null");
    }
}
