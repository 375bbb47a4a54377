package dev.ppml.attestation.tdx;

/** The Quoting Enclave's SGX report body (384 bytes) inside a quote's certification data. */
public final class QeReport {
    public static final int SIZE = 384;

    private final byte[] raw;
    private final byte[] cpuSvn;
    private final long miscSelect;
    private final byte[] attributes;
    private final byte[] mrEnclave;
    private final byte[] mrSigner;
    private final int isvProdId;
    private final int isvSvn;
    private final byte[] reportData;

    private QeReport(byte[] raw) throws QuoteFormatException {
        this.raw = raw;
        QuoteReader r = new QuoteReader(raw, 0, raw.length);
        cpuSvn = r.bytes("qe_report.cpu_svn", 16);
        miscSelect = r.u32("qe_report.misc_select");
        r.bytes("qe_report.reserved1", 28);
        attributes = r.bytes("qe_report.attributes", 16);
        mrEnclave = r.bytes("qe_report.mr_enclave", 32);
        r.bytes("qe_report.reserved2", 32);
        mrSigner = r.bytes("qe_report.mr_signer", 32);
        r.bytes("qe_report.reserved3", 96);
        isvProdId = r.u16("qe_report.isv_prod_id");
        isvSvn = r.u16("qe_report.isv_svn");
        r.bytes("qe_report.reserved4", 60);
        reportData = r.bytes("qe_report.report_data", 64);
    }

    static QeReport parse(byte[] raw) throws QuoteFormatException {
        return new QeReport(raw);
    }

    /** The 384 signed bytes. */
    public byte[] raw() {
        return raw.clone();
    }

    public byte[] cpuSvn() {
        return cpuSvn.clone();
    }

    public long miscSelect() {
        return miscSelect;
    }

    public byte[] attributes() {
        return attributes.clone();
    }

    public byte[] mrEnclave() {
        return mrEnclave.clone();
    }

    public byte[] mrSigner() {
        return mrSigner.clone();
    }

    public int isvProdId() {
        return isvProdId;
    }

    public int isvSvn() {
        return isvSvn;
    }

    public byte[] reportData() {
        return reportData.clone();
    }
}
