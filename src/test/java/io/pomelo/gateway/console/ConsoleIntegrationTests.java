package io.pomelo.gateway.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.support.AdminClient;
import io.pomelo.gateway.support.DebianPackages;
import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real browser: Debian's Chromium, headless, driven through
 * Debian's chromedriver, against this gateway (management port for the console, data port
 * for the players) with a real Pomelo 2.2.7 gate and connector behind it. Every check
 * reads what the page shows, the way an operator would, and the admin API is asked only
 * to confirm that a change did or did not happen.
 * <p>
 * Each test loads the page afresh, which signs the previous user out (the console keeps
 * the password in page memory only), and starts without dynamic routes. Screenshots go to
 * {@code target/console-screenshots/}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.targets.allow-cidrs=127.0.0.0/8" })
class ConsoleIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Path SCREENSHOTS = Path.of("target/console-screenshots");

	private static final String ADMIN = "olivia";

	private static final String VIEWER = "victor";

	/** Made at run time, so no password or hash is checked in. */
	private static final String PASSWORD = "pw-" + UUID.randomUUID();

	private static final String SCRIPT_ROUTE = "connector.entryHandler.<script>alert(1)</script>";

	private static final String IMG_ROUTE = "connector.entryHandler.<img src=x onerror=alert(2)>";

	private static final PomeloServer pomelo = PomeloServer.start();

	private static final Path STORE = temporary("console-store").resolve("routes.json");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static ChromeDriver browser;

	private static Path profile;

	@LocalServerPort
	int dataPort;

	@LocalManagementPort
	int managementPort;

	private final List<PomeloTestClient> clients = new ArrayList<>();

	private final List<String> browserLog = new ArrayList<>();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		// The seed's two routes (./application.yml), pointed at the real Pomelo's gate
		// and connector.
		registry.add("pomelo.gateway.routes[0].id", () -> "gate");
		registry.add("pomelo.gateway.routes[0].prefix", () -> "/gate/");
		registry.add("pomelo.gateway.routes[0].targets", pomelo::gateUri);
		registry.add("pomelo.gateway.routes[1].id", () -> "conn");
		registry.add("pomelo.gateway.routes[1].prefix", () -> "/conn/");
		registry.add("pomelo.gateway.routes[1].targets", () -> pomelo.connectorUri(0));
		registry.add("pomelo.gateway.store.file", STORE::toString);
		BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
		registry.add("pomelo.gateway.admin.users[0].name", () -> ADMIN);
		registry.add("pomelo.gateway.admin.users[0].password", () -> bcrypt.encode(PASSWORD));
		registry.add("pomelo.gateway.admin.users[0].role", () -> "admin");
		registry.add("pomelo.gateway.admin.users[1].name", () -> VIEWER);
		registry.add("pomelo.gateway.admin.users[1].password", () -> bcrypt.encode(PASSWORD));
		registry.add("pomelo.gateway.admin.users[1].role", () -> "viewer");
	}

	@BeforeAll
	static void startBrowser() throws IOException {
		DebianPackages.ensureInstalled("chromium", Path.of("/usr/bin/chromium"));
		DebianPackages.ensureInstalled("chromium-driver", Path.of("/usr/bin/chromedriver"));
		Files.createDirectories(SCREENSHOTS);
		profile = Files.createTempDirectory("console-chromium-");
		// Both paths are given, so Selenium Manager (which would download a driver) is
		// never asked.
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File("/usr/bin/chromedriver"))
			.usingAnyFreePort()
			.build();
		ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
			// The machine has no network beyond loopback: everything that phones home
			// stays off.
			.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
					"--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,1700");
		options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
		browser = new ChromeDriver(service, options);
	}

	@AfterAll
	static void stopBrowser() throws IOException {
		if (browser != null) {
			browser.quit();
		}
		pomelo.close();
		if (profile != null) {
			PomeloServer.run(Path.of("/"), Duration.ofSeconds(30), "rm", "-rf", profile.toString());
		}
	}

	@BeforeEach
	void noDynamicRoutes() {
		for (JsonNode route : json(admin().get("/admin/routes").body())) {
			if ("dynamic".equals(route.path("source").asString())) {
				AdminClient.Reply deleted = admin().delete("/admin/routes/" + route.path("id").asString(),
						"\"" + route.path("version").asLong() + "\"");
				assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
			}
		}
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(PomeloTestClient::close);
		this.clients.clear();
	}

	/**
	 * A script error or a blocked resource shows only in the browser's console, and could
	 * leave a view silently stale; refused API calls (401, 403) are logged too, but as
	 * failed loads, which are expected.
	 */
	@AfterEach
	void noScriptErrorsNorPolicyViolations() {
		List<String> problems = browserLog().stream()
			.filter((m) -> m.contains("Uncaught") || m.contains("Content Security Policy") || m.contains("Trusted Type")
					|| m.contains("TrustedHTML"))
			.toList();
		assertThat(problems).isEmpty();
	}

	@Test
	void signingInShowsTheSeedRoutesWithTheirTargetsAndHealth() {
		signIn(ADMIN);
		assertThat(text("#who")).isEqualTo(ADMIN + " · admin");
		awaitText("#routes tr[data-route='gate'] .backends", (t) -> t.startsWith("UP"));
		awaitText("#routes tr[data-route='conn'] .backends", (t) -> t.startsWith("UP"));
		assertThat(texts("#routes tbody tr .route-id")).containsExactly("conn", "gate");
		assertThat(text("#routes tr[data-route='gate'] td:nth-child(2)")).isEqualTo("/gate/");
		assertThat(text("#routes tr[data-route='gate'] td:nth-child(3)")).isEqualTo("config");
		assertThat(text("#routes tr[data-route='gate'] td:nth-child(4)")).isEqualTo(pomelo.gateUri());
		assertThat(text("#routes tr[data-route='conn'] td:nth-child(4)")).isEqualTo(pomelo.connectorUri(0));
		// Config routes are read-only through the API, so the console offers no Delete
		// for them.
		assertThat(browser.findElements(By.cssSelector("#routes .delete-route"))).isEmpty();
		assertThat(text("#refresh")).startsWith("updates every 2 s · last ");
		screenshot("01-signed-in");
	}

	@Test
	void aWrongPasswordShowsNoData() {
		browser.get(console());
		browser.findElement(By.id("login-name")).sendKeys(ADMIN);
		browser.findElement(By.id("login-password")).sendKeys("not-" + PASSWORD);
		browser.findElement(By.id("login-submit")).click();
		awaitText("#login-error", "Name or password not accepted.");
		assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
		assertThat(browser.findElements(By.cssSelector("#routes tbody tr"))).isEmpty();
		// The refusal is in the browser's log too, which shows the log is read (see the
		// check after each test).
		await().atMost(WAIT).until(() -> browserLog().stream().anyMatch((m) -> m.contains("401")));
	}

	@Test
	void theLiveCountReachesTheNumberOfConnectedPomeloClients() {
		signIn(ADMIN);
		awaitText("#routes tr[data-route='conn'] .live", "0");
		int n = 6;
		// In steps, so the page has to follow each one rather than only show the end
		// state.
		for (int step = 1; step <= 3; step++) {
			for (int i = 0; i < n / 3; i++) {
				PomeloTestClient client = connect("/conn/");
				assertThat(client.request("connector.entryHandler.echo", Map.of("step", step)).path("code").asInt())
					.isEqualTo(200);
			}
			awaitText("#routes tr[data-route='conn'] .live", String.valueOf(step * n / 3));
		}
		// The chart reads the gauge from /actuator/prometheus, not the admin API; both
		// must agree.
		awaitText("#chart-connections .legend", (t) -> t.contains("conn: " + n));
		awaitText("#pomelo-routes tbody", (t) -> t.contains("connector.entryHandler.echo"));
		awaitText("#chart-latency .legend", (t) -> t.matches("(?s).*conn: [0-9.]+ ms.*"));
		click(By.cssSelector("#routes tr[data-route='conn'] .show-sessions"));
		awaitText("#sessions-page", "1–" + n + " of " + n + " · page 1 of 1");
		screenshot("02-live-sessions");
		closeClients();
		awaitText("#routes tr[data-route='conn'] .live", "0");
	}

	@Test
	void anAdminCreatesARouteAndTheNextClientUsesIt() {
		signIn(ADMIN);
		type("create-id", "conn-b");
		type("create-prefix", "/conn-b/");
		type("create-targets", pomelo.connectorUri(0));
		browser.findElement(By.id("create-submit")).click();
		awaitText("#create-message", (t) -> t.startsWith("Route conn-b created: /conn-b/ → " + pomelo.connectorUri(0)));
		awaitText("#routes tr[data-route='conn-b'] td:nth-child(3)", "dynamic v1");
		assertThat(admin().get("/admin/routes/conn-b").status()).isEqualTo(200);

		PomeloTestClient client = connect("/conn-b/");
		assertThat(client.request("connector.entryHandler.echo", Map.of("via", "conn-b"))
			.path("msg")
			.path("via")
			.asString()).isEqualTo("conn-b");
		awaitText("#routes tr[data-route='conn-b'] .live", "1");
		screenshot("03-route-created");

		click(By.cssSelector("#routes tr[data-route='conn-b'] .delete-route"));
		awaitText("#routes tr[data-route='conn-b'] .delete-route", "Confirm delete");
		click(By.cssSelector("#routes tr[data-route='conn-b'] .delete-route"));
		awaitText("#routes-message", "Route conn-b deleted.");
		await().atMost(WAIT).until(() -> text("#routes tr[data-route='conn-b']") == null);
		assertThat(admin().get("/admin/routes/conn-b").status()).isEqualTo(404);
	}

	@Test
	void aViewerSeesEverythingAndIsRefusedEveryWrite() {
		PomeloTestClient player = connect("/conn/");
		signIn(VIEWER);
		assertThat(text("#who")).isEqualTo(VIEWER + " · viewer (read-only: changes are refused)");
		awaitText("#routes tr[data-route='conn'] .live", "1");

		type("create-id", "sneaky");
		type("create-prefix", "/sneaky/");
		type("create-targets", pomelo.connectorUri(0));
		browser.findElement(By.id("create-submit")).click();
		awaitText("#create-message", (t) -> t.startsWith("403"));
		assertThat(browser.findElement(By.id("create-message")).getDomAttribute("class")).contains("problem");
		assertThat(admin().get("/admin/routes/sneaky").status()).isEqualTo(404);

		setValue("import-text", serversJson("connector-server-8", pomelo.connectorPorts().get(0)));
		browser.findElement(By.id("import-preview")).click();
		awaitText("#import-message", (t) -> t.startsWith("403"));
		assertThat(browser.findElement(By.id("import-apply")).isEnabled()).isFalse();

		click(By.cssSelector("#routes tr[data-route='conn'] .show-sessions"));
		await().atMost(WAIT).until(() -> count("#sessions-table .close-session") == 1);
		click(By.cssSelector("#sessions-table .close-session"));
		awaitText("#sessions-message", (t) -> t.startsWith("403"));
		screenshot("04-viewer-refused");
		assertThat(player.ws().isOpen()).isTrue();
		assertThat(json(admin().get("/admin/sessions?route=conn").body())).hasSize(1);
	}

	@Test
	void importingServersJsonShowsThePreviewAndAppliesOnlyWhenAsked() {
		signIn(ADMIN);
		String file = serversJson("connector-server-7", pomelo.connectorPorts().get(0));
		setValue("import-text", file);
		browser.findElement(By.id("import-preview")).click();
		awaitText("#import-message", (t) -> t.startsWith("Preview: 1 to add, 0 to change, 0 unchanged."));
		assertThat(texts("#import-diff tbody tr")).containsExactly("addconnector-server-7");
		assertThat(browser.findElement(By.id("import-apply")).isEnabled()).isTrue();
		screenshot("05-import-preview");
		// A dry run changes nothing, on the page or in the gateway.
		assertThat(text("#routes tr[data-route='connector-server-7']")).isNull();
		assertThat(admin().get("/admin/routes/connector-server-7").status()).isEqualTo(404);

		// Editing the file after the preview withdraws the offer to apply it.
		browser.findElement(By.id("import-text")).sendKeys(" ");
		assertThat(browser.findElement(By.id("import-apply")).isEnabled()).isFalse();
		browser.findElement(By.id("import-preview")).click();
		await().atMost(WAIT).until(() -> browser.findElement(By.id("import-apply")).isEnabled());

		browser.findElement(By.id("import-apply")).click();
		awaitText("#import-message", "Applied: 1 added, 0 changed, 0 unchanged.");
		awaitText("#routes tr[data-route='connector-server-7'] td:nth-child(2)", "/connector-server-7/");
		assertThat(admin().get("/admin/routes/connector-server-7").status()).isEqualTo(200);
		PomeloTestClient client = connect("/connector-server-7/");
		assertThat(client.ws().isOpen()).isTrue();
		awaitText("#routes tr[data-route='connector-server-7'] .live", "1");

		browser.findElement(By.id("import-preview")).click();
		awaitText("#import-message", "Preview: every route is already as the file says; nothing to apply.");
		assertThat(texts("#import-diff tbody tr")).containsExactly("unchangedconnector-server-7");
	}

	@Test
	void closingASessionMakesItDisappearFromThePagedList() {
		signIn(ADMIN);
		int n = 12;
		for (int i = 0; i < n; i++) {
			assertThat(
					connect("/conn/").request("connector.entryHandler.echo", Map.of("player", i)).path("code").asInt())
				.isEqualTo(200);
		}
		awaitText("#routes tr[data-route='conn'] .live", String.valueOf(n));
		click(By.cssSelector("#routes tr[data-route='conn'] .show-sessions"));
		awaitText("#sessions-page", "1–10 of 12 · page 1 of 2");
		assertThat(browser.findElements(By.cssSelector("#sessions-table tbody tr"))).hasSize(10);
		click(By.id("sessions-next"));
		awaitText("#sessions-page", "11–12 of 12 · page 2 of 2");
		assertThat(browser.findElements(By.cssSelector("#sessions-table tbody tr"))).hasSize(2);
		click(By.id("sessions-prev"));
		awaitText("#sessions-page", "1–10 of 12 · page 1 of 2");

		String id = json(admin().get("/admin/sessions?route=conn").body()).get(0).path("id").asString();
		String row = "#sessions-table tr[data-session='" + id + "']";
		awaitText(row + " .session-id", id);
		screenshot("06-sessions");
		click(By.cssSelector(row + " .close-session"));
		awaitText("#sessions-message", "Session " + id + " closed with 4000 \"closed by operator\".");
		await().atMost(WAIT).until(() -> text(row) == null);
		awaitText("#sessions-page", "1–10 of 11 · page 1 of 2");
		awaitText("#routes tr[data-route='conn'] .live", String.valueOf(n - 1));
		// Exactly the one player whose session was closed got the operator's close code.
		await().atMost(WAIT).until(() -> this.clients.stream().filter((c) -> !c.ws().isOpen()).count() == 1);
		PomeloTestClient closed = this.clients.stream().filter((c) -> !c.ws().isOpen()).findFirst().orElseThrow();
		assertThat(closed.ws().awaitClose(WAIT).code()).isEqualTo(4000);
		assertThat(json(admin().get("/admin/sessions?route=conn").body())).hasSize(n - 1)
			.noneMatch((session) -> session.path("id").asString().equals(id));
	}

	@Test
	void aDeadBackendShowsDownWithItsHandshakeFailuresByReason() {
		int deadPort = PomeloServer.freePorts(1).get(0);
		assertThat(admin()
			.post("/admin/routes",
					"{\"id\":\"dead\",\"prefix\":\"/dead/\",\"targets\":[\"ws://127.0.0.1:" + deadPort + "\"]}")
			.status()).isEqualTo(201);
		signIn(ADMIN);
		// The page counts failures from its first scrape on; wait for it before causing
		// any.
		awaitText("#refresh", (t) -> t.contains("last"));
		for (int i = 0; i < 2; i++) {
			assertThat(HttpProbe.upgrade(URI.create("ws://127.0.0.1:" + this.dataPort + "/dead/"), null).status())
				.isEqualTo(502);
		}
		awaitText("#routes tr[data-route='dead'] .backends", (t) -> t.startsWith("DOWN"));
		awaitText("#routes tr[data-route='dead'] .failures", "2backend_unreachable 2");
		awaitText("#failures tbody", (t) -> t.contains("deadbackend_unreachable2"));
		screenshot("07-dead-backend");
	}

	@Test
	void pomeloRouteNamesWithMarkupAreShownAsText() {
		signIn(ADMIN);
		PomeloTestClient client = connect("/conn/");
		// Pomelo has no such handlers and answers 500; the gateway times the request
		// under its name.
		assertThat(client.request(SCRIPT_ROUTE, Map.of()).path("code").asInt()).isEqualTo(500);
		assertThat(client.request(IMG_ROUTE, Map.of()).path("code").asInt()).isEqualTo(500);
		await().atMost(WAIT)
			.until(() -> texts("#pomelo-routes .pomelo-route").containsAll(List.of(SCRIPT_ROUTE, IMG_ROUTE)));
		screenshot("08-markup-as-text");
		// Markup that had been parsed would be elements, and the text would lose its
		// tags.
		assertThat(count("#pomelo-routes script, #pomelo-routes img, #chart-latency script, #chart-latency img"))
			.isZero();
		assertThat(count("script")).isEqualTo(1);
		assertThat(browser.findElement(By.tagName("script")).getDomProperty("src")).endsWith("/console/console.js");
		assertThat(count("img")).isZero();
		assertThatExceptionOfType(NoAlertPresentException.class).isThrownBy(() -> browser.switchTo().alert());
	}

	@Test
	void theConsoleIsServedOnTheManagementPortOnlyWithAStrictPolicy() throws Exception {
		HttpResponse<String> page = http("GET", management("/console/"), Map.of(), null);
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/html"));
		String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
		assertThat(policy)
			.contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
					"frame-ancestors 'none'", "require-trusted-types-for 'script'")
			.doesNotContain("unsafe-inline", "unsafe-eval");
		assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
		assertThat(http("GET", management("/console/console.js"), Map.of(), null).headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).contains("javascript"));
		HttpResponse<String> bare = http("GET", management("/console"), Map.of(), null);
		assertThat(bare.statusCode()).isEqualTo(308);
		assertThat(bare.headers().firstValue("Location")).hasValue("console/");
		// The data plane answers WebSocket routes only.
		assertThat(
				http("GET", URI.create("http://127.0.0.1:" + this.dataPort + "/console/"), Map.of(), null).statusCode())
			.isEqualTo(404);
		// The page is nothing without the API, which stays behind the login.
		assertThat(http("GET", management("/admin/routes"), Map.of(), null).statusCode()).isEqualTo(401);
	}

	@Test
	void writesThatABrowserSendsForAnotherSiteAreRefusedEvenWithAdminCredentials() throws Exception {
		String path = "/admin/import/pomelo-servers?dryRun=true";
		String body = serversJson("connector-server-9", pomelo.connectorPorts().get(0));
		Map<String, String> crossSite = Map.of("Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example");
		HttpResponse<String> refused = http("POST", management(path), withAdmin(crossSite), body);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(json(refused.body()).path("title").asString()).isEqualTo("Cross-origin write refused");
		assertThat(
				http("POST", management(path), withAdmin(Map.of("Origin", "http://evil.example")), body).statusCode())
			.isEqualTo(403);
		assertThat(http("POST", management(path), withAdmin(Map.of("Sec-Fetch-Site", "same-site")), body).statusCode())
			.isEqualTo(403);
		// Scripts send neither header; the console's own requests are same-origin.
		assertThat(http("POST", management(path), withAdmin(Map.of()), body).statusCode()).isEqualTo(200);
		assertThat(
				http("POST", management(path), withAdmin(Map.of("Sec-Fetch-Site", "same-origin")), body).statusCode())
			.isEqualTo(200);
		assertThat(http("POST", management(path),
				withAdmin(Map.of("Origin", "http://127.0.0.1:" + this.managementPort)), body)
			.statusCode()).isEqualTo(200);

		// In the browser: a password typed at the Basic prompt of /admin/ is cached by
		// the browser, and a
		// page on another site then posts a form here. The form's request never reaches
		// the API.
		browser.get("http://" + ADMIN + ":" + PASSWORD + "@127.0.0.1:" + this.managementPort + "/admin/routes");
		await().atMost(WAIT).until(() -> browser.findElement(By.tagName("body")).getText().contains("\"id\":\"gate\""));
		HttpServer evil = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		String action = "http://127.0.0.1:" + this.managementPort + "/admin/routes";
		byte[] page = ("<!DOCTYPE html><form id=f method=post enctype=text/plain action='" + action + "'>"
				+ "<input name='{\"id\":\"evil\",\"prefix\":\"/evil/\",\"targets\":[\"ws://127.0.0.1:1\"],\"x\":\"' value='\"}'>"
				+ "</form><script>document.getElementById('f').submit()</script>")
			.getBytes(StandardCharsets.UTF_8);
		evil.createContext("/", (exchange) -> {
			exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
			exchange.sendResponseHeaders(200, page.length);
			exchange.getResponseBody().write(page);
			exchange.close();
		});
		evil.start();
		try {
			// localhost and 127.0.0.1 are different sites to the browser.
			browser.get("http://localhost:" + evil.getAddress().getPort() + "/");
			await().atMost(WAIT).until(() -> browser.getCurrentUrl().startsWith(action));
			awaitText("body", (t) -> t.contains("Cross-origin write refused"));
			screenshot("09-cross-site-form-refused");
		}
		finally {
			evil.stop(0);
		}
		assertThat(admin().get("/admin/routes/evil").status()).isEqualTo(404);
	}

	// ---- the browser ----

	private String console() {
		return "http://127.0.0.1:" + this.managementPort + "/console/";
	}

	private void signIn(String user) {
		browser.get(console());
		awaitDisplayed("login-form");
		type("login-name", user);
		type("login-password", PASSWORD);
		browser.findElement(By.id("login-submit")).click();
		awaitDisplayed("app");
		awaitText("#refresh", (t) -> t.contains("last"));
	}

	/**
	 * The browser console's messages during this test; reading them takes them from the
	 * browser.
	 */
	private List<String> browserLog() {
		browser.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.map(LogEntry::getMessage)
			.forEach(this.browserLog::add);
		return this.browserLog;
	}

	private void awaitDisplayed(String id) {
		await().atMost(WAIT)
			.ignoreException(StaleElementReferenceException.class)
			.until(() -> browser.findElement(By.id(id)).isDisplayed());
	}

	private static void type(String id, String text) {
		WebElement field = browser.findElement(By.id(id));
		field.clear();
		field.sendKeys(text);
	}

	/**
	 * Sets a text area at once (typing a whole file key by key is slow) and tells the
	 * page it changed.
	 */
	private static void setValue(String id, String value) {
		browser.executeScript("const e = document.getElementById(arguments[0]); e.value = arguments[1];"
				+ " e.dispatchEvent(new Event('input'));", id, value);
	}

	/**
	 * Clicks, again if the page re-rendered the element between finding and clicking it.
	 */
	private static void click(By by) {
		await().atMost(WAIT).ignoreException(StaleElementReferenceException.class).until(() -> {
			browser.findElement(by).click();
			return true;
		});
	}

	/**
	 * The text of the first element the selector matches, or null; read in one step, as
	 * the page redraws.
	 */
	private static String text(String selector) {
		return (String) browser.executeScript(
				"const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector);
	}

	@SuppressWarnings("unchecked")
	private static List<String> texts(String selector) {
		return (List<String>) browser
			.executeScript("return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent);", selector);
	}

	private static long count(String selector) {
		return (Long) browser.executeScript("return document.querySelectorAll(arguments[0]).length;", selector);
	}

	private static void awaitText(String selector, String expected) {
		await().atMost(WAIT).untilAsserted(() -> assertThat(text(selector)).as(selector).isEqualTo(expected));
	}

	private static void awaitText(String selector, java.util.function.Predicate<String> condition) {
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(text(selector)).as(selector)
				.matches((t) -> t != null && condition.test(t), "the expected text"));
	}

	private static void screenshot(String name) {
		try {
			Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"),
					StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	// ---- the players and the API ----

	private PomeloTestClient connect(String path) {
		PomeloTestClient client = PomeloTestClient.connect(URI.create("ws://127.0.0.1:" + this.dataPort + path), null);
		this.clients.add(client);
		assertThat(client.handshake().code()).isEqualTo(200);
		return client;
	}

	private AdminClient admin() {
		return new AdminClient(this.managementPort, ADMIN, PASSWORD);
	}

	private URI management(String path) {
		return URI.create("http://127.0.0.1:" + this.managementPort + path);
	}

	private static Map<String, String> withAdmin(Map<String, String> headers) {
		Map<String, String> all = new java.util.HashMap<>(headers);
		all.put("Authorization", "Basic "
				+ Base64.getEncoder().encodeToString((ADMIN + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
		all.put("Content-Type", "application/json");
		return all;
	}

	private static HttpResponse<String> http(String method, URI uri, Map<String, String> headers, String body)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri)
			.timeout(Duration.ofSeconds(10))
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		headers.forEach(request::header);
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A Pomelo servers.json with one frontend connector (the route to import) and a
	 * backend server (skipped).
	 */
	private static String serversJson(String id, int clientPort) {
		return "{\"production\": {\"connector\": [{\"id\": \"" + id + "\", \"host\": \"127.0.0.1\", \"port\": 4050, "
				+ "\"clientPort\": " + clientPort + ", \"frontend\": true}], "
				+ "\"chat\": [{\"id\": \"chat-server-1\", \"host\": \"127.0.0.1\", \"port\": 6050}]}}";
	}

	private static JsonNode json(String text) {
		return PomeloTestClient.json(text);
	}

	private static Path temporary(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
