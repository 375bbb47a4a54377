/**
 * Our own test double of the public Alibaba OSS REST protocol — not a real OSS — for tests that
 * drive the real aliyun-sdk-oss client: {@link dev.ppml.oss.testutils.OssTestServer} answers
 * PutObject, GetObject (with Range), HeadObject, DeleteObject, ListObjects, CopyObject and the
 * multipart calls on 127.0.0.1 with the headers and XML the SDK parses (including {@code
 * x-oss-hash-crc64ecma}), checks V1 request signatures, and injects the faults the {@code oss://}
 * writer must survive: a bit flipped in a received body, a part acknowledged without being stored,
 * 5xx storms and latency. {@link dev.ppml.oss.testutils.OssTestServerExtension} runs one for a
 * JUnit 5 test class and points Flink's {@code oss://} file system at it.
 */
package dev.ppml.oss.testutils;
