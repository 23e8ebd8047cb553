package io.pomelo.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Admin API settings.
 */
public class AdminProperties {

	/**
	 * Users of the admin API. With none, the admin API is disabled.
	 */
	private List<User> users = new ArrayList<>();

	/**
	 * Time live sessions of a route deleted with on-delete 'drain' keep before they get
	 * close 1001.
	 */
	private Duration drainGrace = Duration.ofSeconds(10);

	public List<User> getUsers() {
		return this.users;
	}

	public void setUsers(List<User> users) {
		this.users = users;
	}

	public Duration getDrainGrace() {
		return this.drainGrace;
	}

	public void setDrainGrace(Duration drainGrace) {
		this.drainGrace = drainGrace;
	}

	/**
	 * An admin API user.
	 */
	public static class User {

		/**
		 * User name.
		 */
		private String name;

		/**
		 * BCrypt hash of the password, such as '{bcrypt}$2a$10$...' or '$2a$10$...'.
		 */
		private String password;

		/**
		 * Role: 'viewer' (read) or 'admin' (read and write).
		 */
		private Role role = Role.VIEWER;

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public String getPassword() {
			return this.password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

		public Role getRole() {
			return this.role;
		}

		public void setRole(Role role) {
			this.role = role;
		}

		@Override
		public String toString() {
			// Never print the hash.
			return "User[" + this.name + ", " + this.role + "]";
		}

	}

	/** What an admin user may do. */
	public enum Role {

		/** Read routes, sessions and the console. */
		VIEWER,

		/**
		 * Also create, change and delete routes, close sessions and reload the
		 * configuration.
		 */
		ADMIN

	}

}
