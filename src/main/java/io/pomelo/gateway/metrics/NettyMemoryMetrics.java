package io.pomelo.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * Memory held by Netty's default buffer allocator, which the data port's sockets read
 * into and write from. It is not in the JVM's heap figures, and the JVM's direct-buffer
 * gauge misses it too, so a leak or an unbounded backlog would be invisible without it.
 */
final class NettyMemoryMetrics implements MeterBinder {

	@Override
	public void bindTo(MeterRegistry registry) {
		if (!(ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider)) {
			return;
		}
		ByteBufAllocatorMetric metric = provider.metric();
		Gauge.builder("pomelo.gateway.netty.memory.used", metric, ByteBufAllocatorMetric::usedDirectMemory)
			.description("Memory held by Netty's buffer allocator, by area")
			.baseUnit("bytes")
			.tag("area", "direct")
			.register(registry);
		Gauge.builder("pomelo.gateway.netty.memory.used", metric, ByteBufAllocatorMetric::usedHeapMemory)
			.description("Memory held by Netty's buffer allocator, by area")
			.baseUnit("bytes")
			.tag("area", "heap")
			.register(registry);
	}

}
