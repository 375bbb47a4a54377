package dev.ppml.attestation.tdx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TdxQuoteTest {

    static byte[] quote(String name) throws Exception {
        return ReferenceQuotes.canonical(name);
    }

    @Test
    void parsesTheProductionV4Quote() throws Exception {
        TdxQuote q = TdxQuote.parse(quote("go-tdx-guest/tdx_prod_quote_SPR_E4.dat"));
        assertThat(q.version()).isEqualTo(4);
        assertThat(q.teeType()).isEqualTo(0x81);
        assertThat(q.bodyType()).isEqualTo(2);
        assertThat(q.body().isDebug()).isFalse();
        assertThat(q.body().mrTd()).hasSize(48);
        assertThat(q.signedRegion()).hasSize(48 + 584);
        assertThat(q.qeReport().isvProdId()).isEqualTo(2);
        assertThat(q.pckChain()).hasSize(3);
        assertThat(q.pckChain().get(0).getSubjectX500Principal().getName())
                .contains("Intel SGX PCK Certificate");
        assertThat(q.pckChain().get(2).getSubjectX500Principal().getName())
                .contains("Intel SGX Root CA");
    }

    @Test
    void parsesBothV5BodyTypesAndTheTrusteeQuotes() throws Exception {
        TdxQuote v5 = TdxQuote.parse(quote("go-tdx-guest/quote_v5_sample.dat"));
        assertThat(v5.version()).isEqualTo(5);
        assertThat(v5.signedRegion().length).isEqualTo(48 + 6 + (v5.bodyType() == 3 ? 648 : 584));
        TdxQuote t5 = TdxQuote.parse(quote("trustee/tdx_quote_5.dat"));
        assertThat(t5.version()).isEqualTo(5);
        TdxQuote t4 = TdxQuote.parse(quote("trustee/tdx_quote_4.dat"));
        assertThat(t4.version()).isEqualTo(4);
        assertThat(t4.body().isDebug()).as("trustee's v4 quote is a DEBUG TD").isTrue();
        if (v5.bodyType() == 3 || t5.bodyType() == 3) {
            TdxQuote tdx15 = v5.bodyType() == 3 ? v5 : t5;
            assertThat(tdx15.body().mrServiceTd()).hasSize(48);
        }
    }

    static final String[] REAL_QUOTES = {
        "go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
        "go-tdx-guest/quote_v5_sample.dat",
        "go-tdx-guest/cos-113-tdx-quote.dat",
        "trustee/tdx_quote_4.dat",
        "trustee/tdx_quote_5.dat"
    };

    @Test
    void realQuotesAsTheyComeAreExactlyConsumed() throws Exception {
        for (String name : REAL_QUOTES) {
            assertThat(TdxQuote.parse(quote(name))).as(name).isNotNull();
        }
        TdxQuote cos = TdxQuote.parse(quote("go-tdx-guest/cos-113-tdx-quote.dat"));
        assertThat(cos.body().reportData()).isEqualTo(quote("go-tdx-guest/cos-113-nonce.dat"));
    }

    @Test
    void bytesAfterTheSignatureDataAreRejected() throws Exception {
        assertThatThrownBy(
                        () ->
                                TdxQuote.parse(
                                        ReferenceQuotes.raw(
                                                "go-tdx-guest/tdx_prod_quote_SPR_E4.dat")))
                .isInstanceOf(QuoteFormatException.class)
                .hasMessage(
                        "39 trailing bytes at offset 4935: the quote ends with its signature data"
                                + " (field 'signature_data_len' at offset 632 declares 4299"
                                + " bytes), so its length is 4935, but 4974 bytes were given; if"
                                + " the extra bytes are padding of a fixed-size buffer, keep the"
                                + " first 4935 (head -c 4935)");
        assertThatThrownBy(
                        () ->
                                TdxQuote.parse(
                                        ReferenceQuotes.raw("go-tdx-guest/cos-113-tdx-quote.dat")))
                .isInstanceOf(QuoteFormatException.class)
                .hasMessageContaining("3065 trailing bytes at offset 4935");
    }

    /** Every way to frame a real quote non-canonically, each of which must be rejected. */
    @Test
    void everyNonCanonicalFramingOfARealQuoteIsRejected() throws Exception {
        for (String name : REAL_QUOTES) {
            byte[] q = quote(name);
            int sigLenAt = sigLenOffset(q);
            int certLenAt = sigLenAt + 4 + 64 + 64 + 2;
            Map<String, byte[]> mutations = new LinkedHashMap<>();
            mutations.put("one byte appended", Arrays.copyOf(q, q.length + 1));
            byte[] nonZero = Arrays.copyOf(q, q.length + 1);
            nonZero[q.length] = 0x41;
            mutations.put("a non-zero byte appended", nonZero);
            mutations.put("64 zeros appended", Arrays.copyOf(q, q.length + 64));
            for (int delta : new int[] {-1, 1}) {
                mutations.put("signature_data_len " + delta, add32(q, sigLenAt, delta));
                mutations.put("certification_data.size " + delta, add32(q, certLenAt, delta));
                byte[] both = add32(add32(q, sigLenAt, delta), certLenAt, delta);
                mutations.put("both lengths " + delta, both);
            }
            // Lengths that agree with a byte more: the cert data then holds an unused byte.
            mutations.put(
                    "both lengths +1 and a byte appended",
                    add32(add32(Arrays.copyOf(q, q.length + 1), sigLenAt, 1), certLenAt, 1));
            mutations.put(
                    "signature_data_len +1 and a byte appended",
                    add32(Arrays.copyOf(q, q.length + 1), sigLenAt, 1));
            for (Map.Entry<String, byte[]> m : mutations.entrySet()) {
                assertThatThrownBy(() -> TdxQuote.parse(m.getValue()))
                        .as(name + ": " + m.getKey())
                        .isInstanceOf(QuoteFormatException.class)
                        .hasMessageContaining("offset");
            }
        }
        byte[] q = quote("trustee/tdx_quote_4.dat");
        int certLenAt = sigLenOffset(q) + 4 + 64 + 64 + 2;
        assertThatThrownBy(
                        () ->
                                TdxQuote.parse(
                                        add32(
                                                add32(
                                                        Arrays.copyOf(q, q.length + 1),
                                                        sigLenOffset(q),
                                                        1),
                                                certLenAt,
                                                1)))
                .hasMessage(
                        "field 'certification_data.size' at offset 766 is 4167, but its contents"
                                + " end at offset 4936, using 4166 bytes; 1 unused bytes follow");
        assertThatThrownBy(() -> TdxQuote.parse(add32(q, certLenAt, -1)))
                .isInstanceOf(QuoteFormatException.class)
                .hasMessageContaining("field 'certification_data.size' at offset 766 is 4165");
    }

    private static int sigLenOffset(byte[] q) {
        return q[0] == 4
                ? 48 + 584
                : 48 + 6 + ByteBuffer.wrap(q, 50, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static byte[] add32(byte[] q, int at, int delta) {
        byte[] out = q.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(at, b.getInt(at) + delta);
        return out;
    }

    @Test
    void v5WithATdx10BodyParsesAndTdx15FieldsAreThere() throws Exception {
        byte[] v4 = quote("go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
        ByteBuffer v5 = ByteBuffer.allocate(v4.length + 6).order(ByteOrder.LITTLE_ENDIAN);
        v5.put(v4, 0, 48).putShort((short) 2).putInt(584).put(v4, 48, v4.length - 48);
        byte[] bytes = v5.array();
        bytes[0] = 5;
        TdxQuote q = TdxQuote.parse(bytes);
        assertThat(q.version()).isEqualTo(5);
        assertThat(q.bodyType()).isEqualTo(2);
        assertThat(q.body().mrServiceTd()).isNull();
        assertThat(q.body().mrTd()).isEqualTo(TdxQuote.parse(v4).body().mrTd());

        TdxQuote tdx15 = TdxQuote.parse(quote("trustee/tdx_quote_5.dat"));
        assertThat(tdx15.bodyType()).isEqualTo(3);
        assertThat(tdx15.body().teeTcbSvn2()).hasSize(16);
        assertThat(tdx15.toJson().at("/td_report/body_type").asText()).isEqualTo("TDX 1.5");

        byte[] badSize = bytes.clone();
        badSize[50] = 1;
        assertThatThrownBy(() -> TdxQuote.parse(badSize))
                .hasMessageContaining("field 'body_descriptor.size' at offset 50");
    }

    @Test
    void truncationNamesFieldAndOffset() throws Exception {
        byte[] q = quote("go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
        assertThatThrownBy(() -> TdxQuote.parse(Arrays.copyOf(q, 100)))
                .isInstanceOf(QuoteFormatException.class)
                .hasMessageContaining(
                        "truncated quote: field 'mrseam' at offset 64 needs 48 bytes, 36 left");
        assertThatThrownBy(() -> TdxQuote.parse(Arrays.copyOf(q, 700)))
                .hasMessageContaining("field 'signature_data_len' at offset 632 declares");
        assertThatThrownBy(() -> TdxQuote.parse(Arrays.copyOf(q, 10)))
                .hasMessageContaining("'header.reserved' at offset 8");
    }

    @Test
    void wrongTeeTypeOrVersionIsNamed() throws Exception {
        byte[] q = quote("go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
        byte[] sgx = q.clone();
        sgx[4] = 0;
        assertThatThrownBy(() -> TdxQuote.parse(sgx))
                .hasMessageContaining("'header.tee_type' at offset 4 is 0x0");
        byte[] v3 = q.clone();
        v3[0] = 3;
        assertThatThrownBy(() -> TdxQuote.parse(v3))
                .hasMessageContaining("unsupported quote version 3");
    }

    @Test
    void jsonShowsMeasurementsInHex() throws Exception {
        TdxQuote q = TdxQuote.parse(quote("go-tdx-guest/tdx_prod_quote_SPR_E4.dat"));
        JsonNode json = q.toJson();
        assertThat(json.at("/td_report/mrtd").asText())
                .isEqualTo(HexFormat.of().formatHex(q.body().mrTd()));
        assertThat(json.at("/td_report/rtmr3").asText()).hasSize(96);
        assertThat(json.at("/header/tee_type").asText()).isEqualTo("0x81");
        assertThat(json.at("/signature_data/pck_cert_chain")).hasSize(3);
    }
}
