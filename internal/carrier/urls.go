package carrier

import (
	"net/url"
	"strings"
)

// StatusCallbackURL is where a carrier's status callbacks for one message go:
// publicURL + "/webhooks/{carrier}/status/{messageID}", the id path-escaped.
func StatusCallbackURL(publicURL, carrierName, messageID string) string {
	return webhookBase(publicURL, carrierName) + "/status/" + url.PathEscape(messageID)
}

// InboundURL is where a carrier posts inbound messages: publicURL + "/webhooks/{carrier}/inbound".
func InboundURL(publicURL, carrierName string) string {
	return webhookBase(publicURL, carrierName) + "/inbound"
}

func webhookBase(publicURL, carrierName string) string {
	return strings.TrimRight(publicURL, "/") + "/webhooks/" + url.PathEscape(carrierName)
}

// StatusMessageID extracts Teli's message id from the escaped path of a status-callback
// request ("/webhooks/twilio/status/msg_1" → "msg_1"). It returns "" when the path does not
// end in "/status/{id}", so a callback without the id still parses.
func StatusMessageID(escapedPath string) string {
	i := strings.LastIndex(escapedPath, "/status/")
	if i < 0 {
		return ""
	}
	seg := escapedPath[i+len("/status/"):]
	if seg == "" || strings.Contains(seg, "/") {
		return ""
	}
	id, err := url.PathUnescape(seg)
	if err != nil {
		return ""
	}
	return id
}
