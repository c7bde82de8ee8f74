"""Stack Exchange dumps: dump (7z, safe XML), scan, sites, measure, rules, extract (the work units)."""
