package policy

// On reports whether a rule in this mode is evaluated (warn or enforce).
func (m Mode) On() bool { return m == Warn || m == Enforce }
