/**
 * Test doubles of the {@code oss://} file system's tests: {@link
 * dev.ppml.oss.testutils.OssTestServerExtension} runs an {@link dev.ppml.oss.testing.OssTestServer}
 * (module {@code oss-dev-server}) for a JUnit 5 test class and points Flink's {@code oss://} file
 * system at it; {@link dev.ppml.oss.testutils.FakeObjectStore} is an in-memory {@link
 * dev.ppml.oss.ObjectStore} for unit tests of the writer's logic.
 */
package dev.ppml.oss.testutils;
