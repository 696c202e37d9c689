"""Renewal projects (更新项目): from adopted proposals through co-design, public notice, review, funding and
construction to operation and a post-evaluation by the residents (DOMAIN.md §7)."""
