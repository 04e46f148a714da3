package sandbox

// The personas of the package documentation's table: how the person at the other end of a call
// behaves, chosen by the last four digits of their number.

// Lines the scripted personas say.
const (
	declineLine    = "Please don't call me again."
	interestedLine = "Yes, I'm interested. Tomorrow at 10am works."
)

// action is one step of a scripted call.
type action int

const (
	personSays     action = iota // the person says the step's text
	agentReplies                 // the agent answers the transcript so far
	agentVoicemail               // the agent leaves its voicemail message
	callEnds                     // the call ends with the step's reason
)

type step struct {
	action action
	text   string // personSays
	reason string // callEnds
}

// persona is how one person takes a call.
type persona struct {
	name string
	// notConnected is the disconnection reason of a call that never connects; "" when the
	// call is answered.
	notConnected string
	// voicemail answers instead of the person, so the agent does not speak its begin message.
	voicemail bool
	// script is what happens once the call is answered (after the begin message); nil means a
	// live person, whom the user plays.
	script []step
}

var (
	livePerson = persona{name: "live person"}
	personas   = map[string]persona{
		"0001": {name: "no answer", notConnected: reasonNoAnswer},
		"0002": {name: "busy", notConnected: reasonBusy},
		"0003": {name: "voicemail", voicemail: true, script: []step{
			{action: agentVoicemail},
			{action: callEnds, reason: reasonVoicemail},
		}},
		"0004": {name: "invalid number", notConnected: reasonInvalid},
		"0005": {name: "declines", script: []step{
			{action: personSays, text: declineLine},
			{action: callEnds, reason: reasonUserHangup},
		}},
		"0006": {name: "interested", script: []step{
			{action: personSays, text: interestedLine},
			{action: agentReplies},
			{action: callEnds, reason: reasonUserHangup},
		}},
	}
)

// personaOf is the persona of the person's number. An inbound call is answered by the agent,
// so only the personas that answer apply to it, and the rest are live people.
func personaOf(number string, inbound bool) persona {
	if len(number) < 4 {
		return livePerson
	}
	p, ok := personas[number[len(number)-4:]]
	if !ok || inbound && (p.notConnected != "" || p.voicemail) {
		return livePerson
	}
	return p
}
