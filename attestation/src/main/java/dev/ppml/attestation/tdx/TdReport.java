package dev.ppml.attestation.tdx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The TD report body of a TDX quote: TDX 1.0 (584 bytes) or TDX 1.5 (648 bytes, adding TEE_TCB_SVN2
 * and MRSERVICETD). Measurements are SHA-384 values (48 bytes).
 */
public final class TdReport {
    public static final int TDX10_SIZE = 584;
    public static final int TDX15_SIZE = 648;

    private final byte[] teeTcbSvn;
    private final byte[] mrSeam;
    private final byte[] mrSignerSeam;
    private final byte[] seamAttributes;
    private final byte[] tdAttributes;
    private final byte[] xfam;
    private final byte[] mrTd;
    private final byte[] mrConfigId;
    private final byte[] mrOwner;
    private final byte[] mrOwnerConfig;
    private final List<byte[]> rtmrs;
    private final byte[] reportData;
    @Nullable private final byte[] teeTcbSvn2;
    @Nullable private final byte[] mrServiceTd;

    private TdReport(QuoteReader r, boolean tdx15) throws QuoteFormatException {
        teeTcbSvn = r.bytes("tee_tcb_svn", 16);
        mrSeam = r.bytes("mrseam", 48);
        mrSignerSeam = r.bytes("mrsignerseam", 48);
        seamAttributes = r.bytes("seam_attributes", 8);
        tdAttributes = r.bytes("td_attributes", 8);
        xfam = r.bytes("xfam", 8);
        mrTd = r.bytes("mrtd", 48);
        mrConfigId = r.bytes("mrconfigid", 48);
        mrOwner = r.bytes("mrowner", 48);
        mrOwnerConfig = r.bytes("mrownerconfig", 48);
        List<byte[]> list = new ArrayList<>(4);
        for (int i = 0; i < 4; i++) {
            list.add(r.bytes("rtmr" + i, 48));
        }
        rtmrs = Collections.unmodifiableList(list);
        reportData = r.bytes("report_data", 64);
        teeTcbSvn2 = tdx15 ? r.bytes("tee_tcb_svn2", 16) : null;
        mrServiceTd = tdx15 ? r.bytes("mrservicetd", 48) : null;
    }

    static TdReport read(QuoteReader r, boolean tdx15) throws QuoteFormatException {
        return new TdReport(r, tdx15);
    }

    public byte[] teeTcbSvn() {
        return teeTcbSvn.clone();
    }

    public byte[] mrSeam() {
        return mrSeam.clone();
    }

    public byte[] mrSignerSeam() {
        return mrSignerSeam.clone();
    }

    public byte[] seamAttributes() {
        return seamAttributes.clone();
    }

    public byte[] tdAttributes() {
        return tdAttributes.clone();
    }

    /** Bit 0 of TDATTRIBUTES: the TD runs in debug mode, its memory readable by the host. */
    public boolean isDebug() {
        return (tdAttributes[0] & 0x01) != 0;
    }

    public byte[] xfam() {
        return xfam.clone();
    }

    public byte[] mrTd() {
        return mrTd.clone();
    }

    public byte[] mrConfigId() {
        return mrConfigId.clone();
    }

    public byte[] mrOwner() {
        return mrOwner.clone();
    }

    public byte[] mrOwnerConfig() {
        return mrOwnerConfig.clone();
    }

    /** RTMR {@code index} (0..3). */
    public byte[] rtmr(int index) {
        return rtmrs.get(index).clone();
    }

    public byte[] reportData() {
        return reportData.clone();
    }

    /** TDX 1.5 only. */
    @Nullable
    public byte[] teeTcbSvn2() {
        return teeTcbSvn2 == null ? null : teeTcbSvn2.clone();
    }

    /** TDX 1.5 only. */
    @Nullable
    public byte[] mrServiceTd() {
        return mrServiceTd == null ? null : mrServiceTd.clone();
    }
}
