/** Scheduled jobs that run on one replica at a time: Spring scheduling with ShedLock's JDBC lock provider. */
package io.cairn.platform.scheduling;
