package dev.ppml.oss.writer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes {@link OssRecoverable} into checkpoints. Version 1 holds bucket, key, upload id, every
 * part (number, ETag, size, CRC64), the tail object (key, size, CRC64), the total size and the
 * expected object CRC64. Golden bytes of every version are kept in the tests.
 */
@Internal
public final class OssRecoverableSerializer implements SimpleVersionedSerializer<OssRecoverable> {

    public static final OssRecoverableSerializer INSTANCE = new OssRecoverableSerializer();

    /** The version written now. */
    public static final int VERSION = 1;

    /** Guards against reading something that is not ours. */
    private static final int MAGIC = 0x05520551;

    private OssRecoverableSerializer() {}

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(OssRecoverable r) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256 + 64 * r.parts().size());
        out.writeInt(MAGIC);
        out.writeUTF(r.bucket());
        out.writeUTF(r.key());
        out.writeUTF(r.uploadId());
        out.writeInt(r.parts().size());
        for (OssRecoverable.Part p : r.parts()) {
            out.writeInt(p.number);
            out.writeUTF(p.etag);
            out.writeLong(p.size);
            out.writeLong(p.crc64);
        }
        out.writeBoolean(r.tailKey() != null);
        if (r.tailKey() != null) {
            out.writeUTF(r.tailKey());
            out.writeLong(r.tailSize());
            out.writeLong(r.tailCrc64());
        }
        out.writeLong(r.totalSize());
        out.writeLong(r.expectedCrc64());
        return out.getCopyOfBuffer();
    }

    @Override
    public OssRecoverable deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case 1:
                return deserializeV1(serialized);
            default:
                throw new IOException("Unrecognized version or corrupt state: " + version);
        }
    }

    private static OssRecoverable deserializeV1(byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(
                    "Corrupt oss:// recoverable state: bad magic number "
                            + Integer.toHexString(magic));
        }
        String bucket = in.readUTF();
        String key = in.readUTF();
        String uploadId = in.readUTF();
        int count = in.readInt();
        List<OssRecoverable.Part> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parts.add(
                    new OssRecoverable.Part(
                            in.readInt(), in.readUTF(), in.readLong(), in.readLong()));
        }
        String tailKey = null;
        long tailSize = 0;
        long tailCrc = 0;
        if (in.readBoolean()) {
            tailKey = in.readUTF();
            tailSize = in.readLong();
            tailCrc = in.readLong();
        }
        long total = in.readLong();
        long crc = in.readLong();
        try {
            return new OssRecoverable(
                    bucket, key, uploadId, parts, tailKey, tailSize, tailCrc, total, crc);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
