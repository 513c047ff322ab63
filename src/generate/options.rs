//! Knobs of the generator.

/// Options for [`Generator::new`](super::Generator::new).
///
/// # Example
///
/// ```
/// use hookcheck::generate::GenOptions;
///
/// let opts = GenOptions::default().with_max_depth(4).with_realism(false);
/// assert_eq!(opts.max_depth, 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GenOptions {
    /// Deepest nesting generated where the schema leaves the choice (recursive schemas); a schema
    /// whose every value is deeper raises the limit to what it needs.
    pub max_depth: u32,
    /// Candidates built for one value before giving up with
    /// [`GenError::Exhausted`](super::GenError::Exhausted).
    pub max_attempts: u32,
    /// Redraws of one node (residual check failed, duplicate item, ...) before the whole
    /// candidate is abandoned.
    pub local_retries: u32,
    /// Use schema examples and defaults, and plausible values for common property names.
    pub realism: bool,
    /// Occasionally add undeclared properties where the schema allows them.
    pub extra_properties: bool,
    /// Soft limit on the number of JSON values in one document: past it, optional properties,
    /// optional items and undeclared keys are no longer added (wide recursive schemas such as
    /// the metaschema would otherwise grow exponentially).
    pub max_size: u32,
    /// Most alternatives one place of the schema may expand into (nested `anyOf`/`oneOf`).
    pub max_alternatives: usize,
    /// Most distinct plan nodes a schema may compile into.
    pub max_nodes: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            max_depth: 6,
            max_attempts: 64,
            local_retries: 8,
            realism: true,
            extra_properties: true,
            max_size: 300,
            max_alternatives: 512,
            max_nodes: 20_000,
        }
    }
}

impl GenOptions {
    /// Sets [`GenOptions::max_depth`].
    #[must_use]
    pub fn with_max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }

    /// Sets [`GenOptions::max_attempts`].
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets [`GenOptions::max_size`].
    #[must_use]
    pub fn with_max_size(mut self, values: u32) -> Self {
        self.max_size = values;
        self
    }

    /// Sets [`GenOptions::realism`].
    #[must_use]
    pub fn with_realism(mut self, on: bool) -> Self {
        self.realism = on;
        self
    }

    /// Sets [`GenOptions::extra_properties`].
    #[must_use]
    pub fn with_extra_properties(mut self, on: bool) -> Self {
        self.extra_properties = on;
        self
    }
}
