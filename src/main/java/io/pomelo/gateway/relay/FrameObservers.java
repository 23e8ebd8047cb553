package io.pomelo.gateway.relay;

import java.util.List;

/**
 * The observers of one session, from every {@link FrameObserverFactory} bean, as one
 * observer.
 */
final class FrameObservers {

	private final List<FrameObserverFactory> factories;

	FrameObservers(List<FrameObserverFactory> factories) {
		this.factories = List.copyOf(factories);
	}

	FrameObserver open(RelaySession session) {
		if (this.factories.isEmpty()) {
			return FrameObserver.NONE;
		}
		if (this.factories.size() == 1) {
			return this.factories.get(0).open(session);
		}
		List<FrameObserver> all = this.factories.stream().map((factory) -> factory.open(session)).toList();
		return new FrameObserver() {

			@Override
			public void frameStart(Direction direction, int opcode, boolean fin, boolean compressed, long length) {
				for (FrameObserver observer : all) {
					observer.frameStart(direction, opcode, fin, compressed, length);
				}
			}

			@Override
			public void payload(Direction direction, FramePayload bytes) {
				for (FrameObserver observer : all) {
					observer.payload(direction, bytes);
				}
			}

			@Override
			public void frameEnd(Direction direction) {
				for (FrameObserver observer : all) {
					observer.frameEnd(direction);
				}
			}

			@Override
			public void closed() {
				all.forEach(FrameObserver::closed);
			}

		};
	}

}
