package io.pomelo.gateway.admission;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.pomelo.gateway.config.Limits;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admission's counting and its memory: exact counts per address that vanish with the last
 * connection, a rate table that stays within its size whatever the number of sources, and
 * IPv6 addresses counted per prefix.
 */
class AdmissionControlTests {

	private static ClientAddress ipv4(int n) {
		byte[] bytes = { (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n };
		try {
			return ClientAddress.of(InetAddress.getByAddress(bytes), 1, 64);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Limits limits() {
		Limits limits = new Limits();
		limits.setMaxSessions(0);
		limits.setMaxPendingConnections(0);
		limits.getPerAddress().setMaxSessions(0);
		limits.getPerAddress().setMaxPending(0);
		limits.getPerAddress().setHandshakeRate(10);
		limits.getPerAddress().setHandshakeBurst(10);
		limits.getPerAddress().setTableSize(10_000);
		return limits;
	}

	@Test
	void aMillionDistinctSourcesLeaveNoMoreStateThanTheTableSize() {
		AdmissionControl admission = new AdmissionControl(limits());
		long now = System.nanoTime();
		int admitted = 0;
		for (int i = 0; i < 1_000_000; i++) {
			ClientAddress source = ipv4(0x0A000000 + i);
			assertThat(admission.admitConnection(source)).isNull();
			if (admission.admitSession("r", 0, source, now + i) instanceof SessionTicket ticket) {
				admitted++;
				ticket.release();
			}
			admission.connectionSettled(source);
		}
		assertThat(admitted).isEqualTo(1_000_000);
		assertThat(admission.rememberedAddresses()).isLessThanOrEqualTo(10_000);
		assertThat(admission.liveAddresses()).isZero();
		assertThat(admission.sessions()).isZero();
		assertThat(admission.pendingConnections()).isZero();
		assertThat(admission.routeSessions("r")).isZero();
	}

	@Test
	void perAddressCountsAreExactAndGoWithTheLastConnection() {
		Limits limits = limits();
		limits.getPerAddress().setMaxSessions(2);
		limits.getPerAddress().setMaxPending(2);
		AdmissionControl admission = new AdmissionControl(limits);
		ClientAddress one = ipv4(1);
		ClientAddress two = ipv4(2);
		assertThat(admission.admitConnection(one)).isNull();
		assertThat(admission.admitConnection(one)).isNull();
		assertThat(admission.admitConnection(one)).isEqualTo(Limit.ADDRESS_PENDING_CONNECTIONS);
		assertThat(admission.admitConnection(two)).isNull();
		assertThat(admission.pendingConnections()).isEqualTo(3);
		long now = System.nanoTime();
		List<SessionTicket> tickets = new ArrayList<>();
		tickets.add((SessionTicket) admission.admitSession("r", 0, one, now));
		tickets.add((SessionTicket) admission.admitSession("r", 0, one, now));
		assertThat(admission.admitSession("r", 0, one, now))
			.isEqualTo(new AdmissionDecision.Refusal(Limit.ADDRESS_SESSIONS, 0));
		assertThat(admission.addressSessions(one)).isEqualTo(2);
		tickets.get(0).release();
		tickets.get(0).release();
		assertThat(admission.addressSessions(one)).as("a second release does nothing").isEqualTo(1);
		tickets.get(1).release();
		admission.connectionSettled(one);
		admission.connectionSettled(one);
		admission.connectionSettled(two);
		assertThat(admission.liveAddresses()).isZero();
		assertThat(admission.sessions()).isZero();
	}

	@Test
	void theHandshakeRateIsATokenBucketThatSaysWhenToRetry() {
		Limits limits = limits();
		limits.getPerAddress().setHandshakeRate(2);
		limits.getPerAddress().setHandshakeBurst(3);
		AdmissionControl admission = new AdmissionControl(limits);
		ClientAddress client = ipv4(7);
		long now = 1_000_000_000L;
		for (int i = 0; i < 3; i++) {
			((SessionTicket) admission.admitSession("r", 0, client, now)).release();
		}
		AdmissionDecision refused = admission.admitSession("r", 0, client, now);
		assertThat(refused).isInstanceOf(AdmissionDecision.Refusal.class);
		AdmissionDecision.Refusal refusal = (AdmissionDecision.Refusal) refused;
		assertThat(refusal.limit()).isEqualTo(Limit.ADDRESS_HANDSHAKE_RATE);
		assertThat(refusal.retryAfterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
		assertThat(admission.admitSession("r", 0, client, now + TimeUnit.MILLISECONDS.toNanos(500)))
			.isInstanceOf(SessionTicket.class);
	}

	@Test
	void ipv6AddressesOfOnePrefixShareTheirLimits() throws UnknownHostException {
		ClientAddress a = ClientAddress.of(InetAddress.getByName("2001:db8:1:2:aaaa::1"), 1, 64);
		ClientAddress b = ClientAddress.of(InetAddress.getByName("2001:db8:1:2:bbbb::2"), 1, 64);
		ClientAddress c = ClientAddress.of(InetAddress.getByName("2001:db8:1:3::1"), 1, 64);
		assertThat(a.key()).isEqualTo(b.key()).isEqualTo("2001" + "0db8" + "0001" + "0002" + "/64");
		assertThat(c.key()).isNotEqualTo(a.key());
		assertThat(ClientAddress.of(InetAddress.getByName("2001:db8:1:2::1"), 1, 56).key())
			.isEqualTo("20010db80001" + "00/56");
		// 50 bits: twelve whole nibbles, then the top two bits of the thirteenth (f keeps
		// c).
		assertThat(ClientAddress.of(InetAddress.getByName("2001:db8:1:f000::1"), 1, 50).key())
			.isEqualTo("20010db80001" + "c/50");
	}

}
