package api

import (
	"github.com/openteli/teli/internal/service/agents"
	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/service/conversation"
	"github.com/openteli/teli/internal/service/leads"
	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/service/tenancy"
)

// Services are the use-cases the handlers call, one per pipeline.
type Services struct {
	Tenancy      *tenancy.Service
	Agents       *agents.Service
	Leads        *leads.Service
	Outbound     *outbound.Service
	Conversation *conversation.Service
	Calling      *calling.Service
}
