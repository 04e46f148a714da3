package sandbox

// Delivery of a call's events to the sink: in order, at least once. The events wait in the
// stored call (Sim.Pending) until delivered, so a restart delivers what a stopped run did not;
// one that was delivered just before a stop may be delivered again, which a sink must take
// (a hosted platform's webhooks are retried the same way).

// flush delivers the call's stored events, unless a delivery already runs or waits to retry.
func (s *sim) flush(c *call) {
	c.mu.Lock()
	if c.delivering {
		c.mu.Unlock()
		return
	}
	c.delivering = true
	s.deliver(c)
}

// deliver delivers the call's deliverable events one by one, then marks an ended call finished
// once nothing remains. A failure is retried after a backoff, and c.delivering stays set
// meanwhile so that nothing overtakes the event that failed. It is called with c.mu held and
// returns with it released.
func (s *sim) deliver(c *call) {
	for c.deliverable > 0 {
		e := c.rec.event(c.rec.Sim.Pending[0])
		c.mu.Unlock()
		err := s.sink.CallEvent(s.ctx, Name, e)
		c.mu.Lock()
		if err != nil {
			s.retryDelivery(c)
			c.mu.Unlock()
			return
		}
		c.rec.Sim.Pending = c.rec.Sim.Pending[1:]
		c.deliverable--
		c.deliveryFailures = 0
	}
	if c.rec.Sim.Step == stepEnded && len(c.rec.Sim.Pending) == 0 && !c.finished {
		if err := s.p.store.PutCall(s.ctx, c.stored(true, s.p.clock.Now())); err != nil {
			s.retryDelivery(c)
			c.mu.Unlock()
			return
		}
		c.finished, c.dirty = true, false
		s.forget(c)
	}
	c.delivering = false
	c.mu.Unlock()
}

// retryDelivery delivers again after a backoff. c.mu is held.
func (s *sim) retryDelivery(c *call) {
	c.deliveryFailures++
	s.after(backoff(s.p.opts.RetryDelay, c.deliveryFailures), func() {
		c.mu.Lock()
		s.deliver(c)
	})
}
