package dev.ppml.keys.kbs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ppml.keys.KeyServiceException;

/**
 * Computes the report data that binds evidence to a nonce and the TEE public key: the runtime-data
 * digest, zero-padded to 64 bytes only where the TEE's report field is that size (TDX).
 */
@FunctionalInterface
public interface RuntimeDataBinder {
    byte[] reportData(String nonce, ObjectNode teePubKey) throws KeyServiceException;
}
