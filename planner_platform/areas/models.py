"""The place hierarchy, in one table: one level per row, a parent link and a materialised path."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Enum, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.core.db import Base, TimestampMixin, UTCDateTime, utcnow


class PlaceLevel(enum.Enum):
    city = "city"
    district = "district"
    subdistrict = "subdistrict"
    community = "community"

    @property
    def label(self):
        return PLACE_LEVEL_LABELS[self]

    @property
    def parent_level(self) -> "PlaceLevel | None":
        order = list(PlaceLevel)
        index = order.index(self)
        return order[index - 1] if index else None

    @property
    def child_level(self) -> "PlaceLevel | None":
        order = list(PlaceLevel)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


PLACE_LEVEL_LABELS = {
    PlaceLevel.city: _l("City"),
    PlaceLevel.district: _l("District"),
    PlaceLevel.subdistrict: _l("Sub-district"),
    PlaceLevel.community: _l("Community"),
}


class Place(TimestampMixin, Base):
    __tablename__ = "places"
    __table_args__ = (
        CheckConstraint("population IS NULL OR population >= 0", name="population_not_negative"),
        CheckConstraint("households IS NULL OR households >= 0", name="households_not_negative"),
        # Only a city sits at the top; every other level hangs under a parent.
        CheckConstraint("(level = 'city') = (parent_id IS NULL)", name="only_cities_have_no_parent"),
        # The target of composite foreign keys that copy a place's ancestors (e.g. on proposals) and must agree.
        Index("uq_places_id_parent", "id", "parent_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[PlaceLevel] = mapped_column(
        Enum(PlaceLevel, name="place_level", native_enum=False, create_constraint=True, length=16), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    #: Administrative division code (e.g. the 12-digit 统计用区划代码); unique across the deployment.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: Ids of the ancestors and the place itself, "/1/4/17/": jurisdiction checks are one prefix match.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    population: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    #: GeoJSON geometry (Polygon or MultiPolygon), WGS-84 longitude/latitude.
    boundary: Mapped[dict | None] = mapped_column(JSON)
    centre_lat: Mapped[float | None] = mapped_column(Float)
    centre_lng: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped["Place | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Place"]] = relationship(back_populates="parent", order_by="Place.code")

    def is_within(self, other: "Place") -> bool:
        """True if this place is `other` or lies inside it."""
        return self.path.startswith(other.path)

    def __repr__(self):
        return f"<Place {self.level.value} {self.code} {self.name}>"
