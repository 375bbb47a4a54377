/**
 * Our own test double of the public Alibaba OSS REST protocol — not a real OSS, not for production
 * — for tests and benchmarks that drive a real OSS client (aliyun-sdk-oss, Flink's {@code
 * flink-oss-fs-hadoop}, our {@code oss://} file system): {@link dev.ppml.oss.testing.OssTestServer}
 * answers PutObject, GetObject (with Range), HeadObject, DeleteObject, ListObjects, CopyObject and
 * the multipart calls on 127.0.0.1 with the headers and XML the SDK parses (including {@code
 * x-oss-hash-crc64ecma}), checks V1 request signatures, and injects the faults the {@code oss://}
 * writer must survive: a bit flipped in a received body, a part acknowledged without being stored,
 * 5xx storms and latency. It keeps object bodies in files, not in the heap, so objects of many GiB
 * work and a benchmark measures its client rather than the server.
 *
 * <p>Shipped in main code (like Tink's {@code testing} packages) so that {@code bin/ppml bench} can
 * start it in-process; nothing in the file system or the connector depends on it.
 */
package dev.ppml.oss.testing;
