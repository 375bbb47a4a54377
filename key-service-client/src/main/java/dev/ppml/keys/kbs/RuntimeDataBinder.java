package dev.ppml.keys.kbs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ppml.keys.KeyServiceException;

/** Computes the 64 bytes of report data that bind evidence to a nonce and the TEE public key. */
@FunctionalInterface
public interface RuntimeDataBinder {
    byte[] reportData(String nonce, ObjectNode teePubKey) throws KeyServiceException;
}
