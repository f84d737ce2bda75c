/*
 * creds_json.c - read the credential providers' JSON answers.
 */
#include "creds_json.h"

#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws.h"
#include "creds_kit.h"
#include "scrub.h"

/* only_space tells whether [p, p + n) is JSON whitespace. */
static bool only_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	}
	return true;
}

/* parse_object parses text as one JSON object; what names it in messages. */
static int parse_object(const char *text, size_t len, const char *what, cJSON **root, struct err *e)
{
	const char *end = NULL;

	*root = NULL;
	if (len > CREDS_JSON_MAX_BYTES)
		return err_set(e, ERR_LIMIT, "%s is over %u bytes", what, CREDS_JSON_MAX_BYTES);
	if (len == 0)
		return err_set(e, ERR_PARSE, "%s is empty", what);
	if (memchr(text, '\0', len) != NULL || aws_json_has_nul(text, len))
		return err_set(e, ERR_PARSE, "%s holds a NUL character", what);
	aws_json_hooks();
	*root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (*root == NULL || end == NULL || !only_space(end, (size_t)(text + len - end))) {
		cJSON_Delete(*root);
		*root = NULL;
		return err_set(e, ERR_PARSE, "%s is not valid JSON", what);
	}
	if (!cJSON_IsObject(*root)) {
		cJSON_Delete(*root);
		*root = NULL;
		return err_set(e, ERR_PARSE, "%s is not a JSON object", what);
	}
	return 0;
}

/* get_string finds key: 1 with *v set, 0 when absent (or null and not
 * required), -1 with e when required and absent, or not a string, or
 * empty. */
static int get_string(const cJSON *obj, const char *key, bool required, const char *what,
                      const char **v, struct err *e)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	*v = NULL;
	if (item == NULL || (cJSON_IsNull(item) && !required)) {
		if (required)
			return err_set(e, ERR_PARSE, "%s has no %s", what, key);
		return 0;
	}
	if (!cJSON_IsString(item))
		return err_set(e, ERR_PARSE, "%s has a %s that is not a string", what, key);
	if (item->valuestring[0] == '\0') {
		if (required)
			return err_set(e, ERR_PARSE, "%s has an empty %s", what, key);
		return 0;
	}
	*v = item->valuestring;
	return 1;
}

/* get_time reads an ISO 8601 time under key. */
static int get_time(const cJSON *obj, const char *key, bool required, const char *what, time_t *out,
                    struct err *e)
{
	const char *v;
	int rc = get_string(obj, key, required, what, &v, e);

	*out = 0;
	if (rc <= 0)
		return rc;
	if (creds_parse_time(v, out) < 0)
		return err_set(e, ERR_PARSE, "%s has an unreadable %s (want ISO 8601 UTC)", what,
		               key);
	return 1;
}

/* fill_keys reads the key pair and the token under the given names. */
static int fill_keys(const cJSON *obj, const char *akid_key, const char *secret_key,
                     const char *token_key, bool token_required, const char *what,
                     struct creds *out, struct err *e)
{
	const char *akid, *secret, *token;

	if (get_string(obj, akid_key, true, what, &akid, e) < 0 ||
	    get_string(obj, secret_key, true, what, &secret, e) < 0 ||
	    get_string(obj, token_key, token_required, what, &token, e) < 0)
		return -1;
	return creds_fill(out, akid, secret, token, e);
}

int creds_json_process(const char *text, size_t len, struct creds *out, struct err *e)
{
	static const char what[] = "credential_process output";
	const cJSON *version;
	cJSON *root;
	int rc = -1;

	creds_release(out);
	if (parse_object(text, len, what, &root, e) < 0)
		return -1;
	version = cJSON_GetObjectItemCaseSensitive(root, "Version");
	if (version == NULL) {
		err_set(e, ERR_PARSE, "%s has no Version (must be 1)", what);
		goto done;
	}
	if (!cJSON_IsNumber(version) || version->valuedouble != 1.0) {
		if (cJSON_IsNumber(version) && version->valuedouble > -1e9 &&
		    version->valuedouble < 1e9)
			err_set(e, ERR_PARSE, "%s has Version %g: only 1 is supported", what,
			        version->valuedouble);
		else
			err_set(e, ERR_PARSE, "%s has a Version that is not the number 1", what);
		goto done;
	}
	if (fill_keys(root, "AccessKeyId", "SecretAccessKey", "SessionToken", false, what, out, e) <
	            0 ||
	    get_time(root, "Expiration", false, what, &out->expiration, e) < 0)
		goto done;
	rc = 0;
done:
	cJSON_Delete(root);
	if (rc < 0)
		creds_release(out);
	return rc;
}

int creds_json_container(const char *text, size_t len, struct creds *out, struct err *e)
{
	static const char what[] = "the container endpoint's answer";
	cJSON *root;
	int rc = -1;

	creds_release(out);
	if (parse_object(text, len, what, &root, e) < 0)
		return -1;
	if (fill_keys(root, "AccessKeyId", "SecretAccessKey", "Token", true, what, out, e) == 0 &&
	    get_time(root, "Expiration", true, what, &out->expiration, e) > 0)
		rc = 0;
	cJSON_Delete(root);
	if (rc < 0)
		creds_release(out);
	return rc;
}

/* imds_error says what an IMDS error document or incomplete answer
 * means. */
static int imds_error(const cJSON *root, const char *const *secrets, struct buf *why, struct err *e)
{
	static const char *const need[] = {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"};
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "Code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "Message");
	char said[201];

	buf_truncate(why, 0);
	if (cJSON_IsString(code) && strcmp(code->valuestring, "Success") != 0) {
		scrub_copy(said, 65, creds_q(code->valuestring), SIZE_MAX, secrets);
		if (buf_printf(why, e, "IMDS answered %s", said) < 0)
			return -1;
		if (!cJSON_IsString(msg))
			return 0;
		scrub_copy(said, sizeof(said), creds_q(msg->valuestring), SIZE_MAX, secrets);
		return buf_printf(why, e, ": %s", said) < 0 ? -1 : 0;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, need[i]);

		if (!cJSON_IsString(item) || item->valuestring[0] == '\0')
			return buf_printf(why, e, "the IMDS answer has no %s", need[i]) < 0 ? -1
			                                                                    : 0;
	}
	return 1;
}

int creds_json_imds(const char *text, size_t len, const char *const *secrets, struct creds *out,
                    struct buf *why, struct err *e)
{
	static const char what[] = "the IMDS answer";
	cJSON *root;
	int rc;

	creds_release(out);
	if (parse_object(text, len, what, &root, e) < 0)
		return -1;
	rc = imds_error(root, secrets, why, e);
	if (rc > 0 &&
	    (fill_keys(root, "AccessKeyId", "SecretAccessKey", "Token", true, what, out, e) < 0 ||
	     get_time(root, "Expiration", true, what, &out->expiration, e) < 0))
		rc = -1;
	cJSON_Delete(root);
	if (rc <= 0)
		creds_release(out);
	return rc;
}

int creds_json_sso_token(const char *text, size_t len, struct buf *token, time_t *expires,
                         struct err *e)
{
	static const char what[] = "the cached SSO token";
	const char *v;
	cJSON *root;
	int rc = -1;

	buf_truncate(token, 0);
	if (parse_object(text, len, what, &root, e) < 0)
		return -1;
	if (get_string(root, "accessToken", true, what, &v, e) > 0 && buf_puts(token, v, e) == 0 &&
	    get_time(root, "expiresAt", true, what, expires, e) > 0)
		rc = 0;
	cJSON_Delete(root);
	if (rc < 0)
		buf_release(token);
	return rc;
}

int creds_json_sso_role(const char *text, size_t len, struct creds *out, struct err *e)
{
	static const char what[] = "the SSO portal's answer";
	const cJSON *rc_obj, *exp;
	cJSON *root;
	int rc = -1;

	creds_release(out);
	if (parse_object(text, len, what, &root, e) < 0)
		return -1;
	rc_obj = cJSON_GetObjectItemCaseSensitive(root, "roleCredentials");
	if (!cJSON_IsObject(rc_obj)) {
		err_set(e, ERR_PARSE, "%s has no roleCredentials object", what);
		goto done;
	}
	if (fill_keys(rc_obj, "accessKeyId", "secretAccessKey", "sessionToken", true, what, out,
	              e) < 0)
		goto done;
	exp = cJSON_GetObjectItemCaseSensitive(rc_obj, "expiration");
	if (!cJSON_IsNumber(exp) || !(exp->valuedouble > 0) || exp->valuedouble > 1e15) {
		err_set(e, ERR_PARSE, "%s has no expiration in epoch milliseconds", what);
		goto done;
	}
	out->expiration = (time_t)(exp->valuedouble / 1000.0);
	rc = 0;
done:
	cJSON_Delete(root);
	if (rc < 0)
		creds_release(out);
	return rc;
}
