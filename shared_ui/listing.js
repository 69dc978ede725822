// A signed-in admin page's listing and actions (admin_ui/devices.js, hub_ui/sites.js, hub_ui/accounts.js): the
// listing is fetched and drawn again after every action, whether it worked or not (another admin may have
// changed it), and a session that ended or lacks the role brings the sign-in dialog back instead of an error.
import { json as request } from "/ui/shared/http.js";

/**
 * @param {object} options
 * @param {string} options.url the listing's GET route
 * @param {(listing: object) => void} options.draw draws the answer
 * @param {(text: string, isError: boolean) => void} options.say shows an action's outcome
 * @param {(message: string) => void} options.signIn shows the sign-in dialog (a 401 or 403 on the listing)
 */
export function adminListing({ url, draw, say, signIn }) {
  async function refresh() {
    try {
      draw(await request("GET", url));
    } catch (err) {
      if (err.status === 401 || err.status === 403) signIn(err.message);
    }
  }

  /** One action; `done` (text, or a function of the answer) is said when it worked. The answer, or null. */
  async function act(method, actionUrl, body, done) {
    try {
      const answer = await request(method, actionUrl, body);
      say(typeof done === "function" ? done(answer) : done, false);
      return answer ?? {};
    } catch (err) {
      say(err.message, true);
      return null;
    } finally {
      refresh();
    }
  }

  return { refresh, act };
}
