package dev.ppml.oss;

import java.io.IOException;
import org.apache.flink.annotation.Internal;

/** Gives the {@link ObjectStore} of a bucket. */
@Internal
@FunctionalInterface
public interface ObjectStoreProvider {
    ObjectStore forBucket(String bucket) throws IOException;
}
