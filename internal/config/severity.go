package config

// P0SeverityValues is the one definition of which alert `severity` label
// values are P0: every value of HUSTLEXP_P0_SEVERITIES (GNG-3's list), plus
// HUSTLEXP_P0_SEVERITY (the value the MON-3 drill posts) when the list
// lacks it. MON-3 checks the PagerDuty routing of each of them.
func (c *Config) P0SeverityValues() []string {
	out := c.List(P0Severities)
	drill := c.Get(P0Severity)
	for _, s := range out {
		if s == drill {
			return out
		}
	}
	if drill != "" {
		out = append(out, drill)
	}
	return out
}
