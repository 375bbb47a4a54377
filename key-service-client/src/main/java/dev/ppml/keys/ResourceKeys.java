package dev.ppml.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Turns a secret resource fetched from a key broker (KBS or the Confidential Data Hub) into the
 * master key's {@link Aead}. Two resource formats are accepted:
 *
 * <ul>
 *   <li>a Tink keyset in JSON (what {@code bin/ppml keys create} writes), or
 *   <li>exactly 32 raw bytes: an AES-256-GCM key.
 * </ul>
 *
 * <p>The resource bytes are overwritten with zeros once the primitive is built.
 */
public final class ResourceKeys {
    private ResourceKeys() {}

    public static Aead toAead(byte[] resource, KeyUri keyUri) throws KeyServiceException {
        KeyServices.registerTink();
        try {
            KeysetHandle handle;
            if (resource.length == 32) {
                AesGcmParameters params =
                        AesGcmParameters.builder()
                                .setKeySizeBytes(32)
                                .setIvSizeBytes(12)
                                .setTagSizeBytes(16)
                                .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                                .build();
                AesGcmKey key =
                        AesGcmKey.builder()
                                .setParameters(params)
                                .setKeyBytes(
                                        SecretBytes.copyFrom(
                                                resource, InsecureSecretKeyAccess.get()))
                                .build();
                handle =
                        KeysetHandle.newBuilder()
                                .addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary())
                                .build();
            } else if (resource.length > 0 && resource[0] == '{') {
                handle =
                        TinkJsonProtoKeysetFormat.parseKeyset(
                                new String(resource, StandardCharsets.UTF_8),
                                InsecureSecretKeyAccess.get());
            } else {
                throw new KeyServiceException(
                        String.format(
                                "the resource of key URI '%s' is %d bytes and not a Tink JSON"
                                        + " keyset; expected a keyset or a 32-byte AES-256 key",
                                keyUri, resource.length));
            }
            return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException | RuntimeException e) {
            // not chained: parser messages may quote the resource, i.e. key material
            throw new KeyServiceException(
                    String.format(
                            "the resource of key URI '%s' is not a usable AEAD key (%s)",
                            keyUri, e.getClass().getSimpleName()));
        } finally {
            Arrays.fill(resource, (byte) 0);
        }
    }
}
