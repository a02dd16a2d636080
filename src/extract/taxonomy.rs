//! Our event taxonomy and its mapping onto ACLED `event_type` /
//! `sub_event_type` / `disorder_type` (see `event-standards.md` §4.2).

/// Event types (serialised as snake_case codes in `Event::event_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    ArmedClash,
    GroundAssault,
    TerritoryCaptured,
    TerritoryClaimed,
    TerritoryRegained,
    Shelling,
    MissileStrike,
    AirDroneStrike,
    Explosion,
    StrikeMilitaryTarget,
    CivilianHarm,
    PrisonerExchange,
    PoliticalStatement,
    Aid,
    Other,
}

impl EventType {
    pub const ALL: [EventType; 15] = [
        Self::ArmedClash,
        Self::GroundAssault,
        Self::TerritoryCaptured,
        Self::TerritoryClaimed,
        Self::TerritoryRegained,
        Self::Shelling,
        Self::MissileStrike,
        Self::AirDroneStrike,
        Self::Explosion,
        Self::StrikeMilitaryTarget,
        Self::CivilianHarm,
        Self::PrisonerExchange,
        Self::PoliticalStatement,
        Self::Aid,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ArmedClash => "armed_clash",
            Self::GroundAssault => "ground_assault",
            Self::TerritoryCaptured => "territory_captured",
            Self::TerritoryClaimed => "territory_claimed",
            Self::TerritoryRegained => "territory_regained",
            Self::Shelling => "shelling",
            Self::MissileStrike => "missile_strike",
            Self::AirDroneStrike => "air_drone_strike",
            Self::Explosion => "explosion",
            Self::StrikeMilitaryTarget => "strike_military_target",
            Self::CivilianHarm => "civilian_harm",
            Self::PrisonerExchange => "prisoner_exchange",
            Self::PoliticalStatement => "political_statement",
            Self::Aid => "aid",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == s)
    }

    /// Combat, strikes and territorial change (true) vs speeches, visits, aid,
    /// exchanges and unrelated news (false).
    pub fn is_combat(self) -> bool {
        !matches!(
            self,
            Self::PrisonerExchange | Self::PoliticalStatement | Self::Aid | Self::Other
        )
    }

    pub fn is_territorial(self) -> bool {
        matches!(
            self,
            Self::TerritoryCaptured | Self::TerritoryClaimed | Self::TerritoryRegained
        )
    }

    /// Remote violence (strikes of any kind).
    pub fn is_remote(self) -> bool {
        matches!(
            self,
            Self::Shelling
                | Self::MissileStrike
                | Self::AirDroneStrike
                | Self::Explosion
                | Self::StrikeMilitaryTarget
        )
    }

    /// `(acled event_type, acled sub_event_type, disorder_type)`.
    pub fn acled(self) -> (&'static str, &'static str, &'static str) {
        const PV: &str = "Political violence";
        const SD: &str = "Strategic developments";
        const ERV: &str = "Explosions/Remote violence";
        match self {
            Self::ArmedClash | Self::GroundAssault => ("Battles", "Armed clash", PV),
            // ACLED codes a foreign state force capturing ground as "Non-state actor
            // overtakes territory"; a state retaking its own ground as "Government
            // regains territory".
            Self::TerritoryCaptured | Self::TerritoryClaimed => {
                ("Battles", "Non-state actor overtakes territory", PV)
            }
            Self::TerritoryRegained => ("Battles", "Government regains territory", PV),
            Self::Shelling | Self::MissileStrike | Self::StrikeMilitaryTarget => {
                (ERV, "Shelling/artillery/missile attack", PV)
            }
            Self::AirDroneStrike => (ERV, "Air/drone strike", PV),
            Self::Explosion => (ERV, "Remote explosive/landmine/IED", PV),
            Self::CivilianHarm => ("Violence against civilians", "Attack", PV),
            // ACLED's "Agreement" sub-type includes prisoner exchanges.
            Self::PrisonerExchange => (SD, "Agreement", SD),
            Self::PoliticalStatement | Self::Aid | Self::Other => (SD, "Other", SD),
        }
    }
}

/// ACLED mapping of one of our `event_type` codes:
/// `(acled event_type, acled sub_event_type, disorder_type)`.
/// Unknown codes map like `other`.
pub fn acled_mapping(event_type: &str) -> (&'static str, &'static str, &'static str) {
    EventType::parse(event_type)
        .unwrap_or(EventType::Other)
        .acled()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.code()), Some(t));
        }
        assert_eq!(EventType::parse("nope"), None);
    }

    #[test]
    fn acled_labels() {
        assert_eq!(
            acled_mapping("air_drone_strike"),
            (
                "Explosions/Remote violence",
                "Air/drone strike",
                "Political violence"
            )
        );
        assert_eq!(
            acled_mapping("territory_regained").1,
            "Government regains territory"
        );
        assert_eq!(
            acled_mapping("territory_claimed").1,
            "Non-state actor overtakes territory"
        );
        assert_eq!(
            acled_mapping("prisoner_exchange"),
            (
                "Strategic developments",
                "Agreement",
                "Strategic developments"
            )
        );
        assert_eq!(acled_mapping("ground_assault").0, "Battles");
        assert_eq!(
            acled_mapping("civilian_harm").0,
            "Violence against civilians"
        );
        assert_eq!(acled_mapping("unknown-code"), acled_mapping("other"));
    }

    #[test]
    fn combat_flags() {
        assert!(EventType::Shelling.is_combat());
        assert!(EventType::TerritoryClaimed.is_combat());
        assert!(!EventType::PoliticalStatement.is_combat());
        assert!(!EventType::Other.is_combat());
        assert!(!EventType::PrisonerExchange.is_combat());
    }
}
