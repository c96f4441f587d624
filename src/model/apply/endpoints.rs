//! VPC endpoints (semantics doc §1.14, §8 case 15d): a gateway endpoint's `pl-… → vpce-…`
//! routes are added and removed by CreateVpcEndpoint, ModifyVpcEndpoint and DeleteVpcEndpoints,
//! never by CreateRoute/DeleteRoute records.

use super::routes::already_exists;
use super::*;

impl Network {
    /// The prefix list of an AWS service: a list in the model named after the service, else the
    /// placeholder `pl-svc-<service>` (module doc).
    fn service_prefix_list(&self, service: Option<&str>) -> PrefixListId {
        let service = service.unwrap_or("unknown");
        self.prefix_lists
            .values()
            .find(|p| p.name.as_deref() == Some(service))
            .map(|p| p.id.clone())
            .unwrap_or_else(|| PrefixListId::new(format!("pl-svc-{service}")))
    }

    /// The prefix list an existing gateway endpoint routes: from its routes, else its service.
    fn endpoint_prefix_list(&self, e: &VpcEndpoint) -> PrefixListId {
        let target = Target::VpcEndpoint(e.id.clone());
        self.route_tables
            .values()
            .flat_map(|t| t.routes.values())
            .find_map(|r| match &r.destination {
                Destination::PrefixList(pl) if r.target == target => Some(pl.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.service_prefix_list(e.service_name.as_deref()))
    }

    /// Checks that the endpoint route can go into each table: the table exists, is in the VPC,
    /// has no route for the list yet, and has room (§1.14, §3.7).
    fn check_endpoint_tables(
        &self,
        vpc: &VpcId,
        endpoint: Option<&VpcEndpointId>,
        pl: &PrefixListId,
        tables: &[RouteTableId],
        opts: &ApplyOptions,
    ) -> Result<(), Ec2Error> {
        let destination = Destination::PrefixList(pl.clone());
        let key = RouteKey {
            destination: destination.clone(),
            propagated: false,
        };
        for t in tables {
            let table = self.get_table(t)?;
            // Route table of another VPC (code and wording unverified).
            if &table.vpc_id != vpc {
                return Err(err(
                    "InvalidParameterValue",
                    format!("route table {t} is not in {vpc}"),
                ));
            }
            // Another endpoint of the same service already routes the list (code inferred).
            if let Some(r) = table.routes.get(&key)
                && endpoint.is_none_or(|e| r.target != Target::VpcEndpoint(e.clone()))
            {
                return Err(already_exists(&destination));
            }
            if !table.routes.contains_key(&key) {
                self.check_route_quota(table, &destination, opts)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn create_vpc_endpoint(
        &mut self,
        vpc: &VpcId,
        given: Option<&VpcEndpointId>,
        endpoint_type: VpcEndpointType,
        service: Option<&str>,
        tables: &[RouteTableId],
        subnets: &[SubnetId],
        opts: &ApplyOptions,
    ) -> Result<Effect, Ec2Error> {
        if self.vpc_cidrs(vpc).is_none() {
            return Err(vpc_not_found(vpc));
        }
        let gateway = endpoint_type == VpcEndpointType::Gateway;
        let pl = self.service_prefix_list(service);
        if gateway {
            self.check_endpoint_tables(vpc, None, &pl, tables, opts)?;
        } else if !tables.is_empty() {
            // Route tables belong to gateway endpoints only (code unverified).
            return Err(err(
                "InvalidParameterValue",
                "route tables can be specified for gateway endpoints only",
            ));
        }
        for s in subnets {
            let sub = self.get_subnet(s)?;
            if &sub.vpc_id != vpc {
                return Err(err(
                    "InvalidParameterValue",
                    format!("subnet {s} does not belong to {vpc}"),
                ));
            }
        }
        if let Some(id) = given
            && self.vpc_endpoints.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let id = VpcEndpointId::new(self.id_or_fresh(
            given.map(|g| g.as_str()),
            "vpce-",
            |n, s| n.vpc_endpoints.contains_key(&VpcEndpointId::new(s)),
        ));
        self.revive(id.as_str());
        self.vpc_endpoints.insert(
            id.clone(),
            VpcEndpoint {
                id: id.clone(),
                vpc_id: vpc.clone(),
                endpoint_type,
                service_name: service.map(str::to_string),
                state: "available".into(),
                route_table_ids: if gateway { tables.to_vec() } else { Vec::new() },
                subnet_ids: subnets.to_vec(),
            },
        );
        let mut touched = vec![id.to_string()];
        if gateway {
            self.add_endpoint_routes(&id, &pl, tables);
            touched.extend(tables.iter().map(|t| t.to_string()));
        }
        let routes = if gateway && !tables.is_empty() {
            let list = tables
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            format!("; added {pl} -> {id} to {list}")
        } else {
            String::new()
        };
        let kind = match endpoint_type {
            VpcEndpointType::Gateway => "gateway",
            VpcEndpointType::GatewayLoadBalancer => "Gateway Load Balancer",
            VpcEndpointType::Interface => "interface",
            VpcEndpointType::Other => "other",
        };
        Ok(effect(
            format!(
                "{id}: {kind} endpoint for {} created in {vpc}{routes}",
                service.unwrap_or("an unnamed service")
            ),
            touched,
            false,
        ))
    }

    /// §1.14, §3.5: the endpoint route has Origin=CreateRoute.
    fn add_endpoint_routes(
        &mut self,
        id: &VpcEndpointId,
        pl: &PrefixListId,
        tables: &[RouteTableId],
    ) {
        for t in tables {
            if let Some(table) = self.route_tables.get_mut(t) {
                table.put_route(Route::new(
                    Destination::PrefixList(pl.clone()),
                    Target::VpcEndpoint(id.clone()),
                    RouteOrigin::CreateRoute,
                ));
            }
        }
    }

    /// Removes an endpoint's routes from the given tables (§1.14).
    fn remove_endpoint_routes(&mut self, id: &VpcEndpointId, tables: &[RouteTableId]) {
        let target = Target::VpcEndpoint(id.clone());
        for t in tables {
            if let Some(table) = self.route_tables.get_mut(t) {
                table.routes.retain(|r| r.target != target);
            }
        }
    }

    pub(super) fn modify_vpc_endpoint(
        &mut self,
        id: &VpcEndpointId,
        add: &[RouteTableId],
        remove: &[RouteTableId],
        opts: &ApplyOptions,
    ) -> Result<Effect, Ec2Error> {
        // A deleted endpoint is kept to explain its routes, but no longer exists for the API
        // (§1.14, §2.2).
        let Some(e) = self
            .vpc_endpoints
            .get(id)
            .filter(|e| !matches!(e.state.as_str(), "deleted" | "deleting"))
        else {
            return Err(endpoint_not_found(id));
        };
        if (!add.is_empty() || !remove.is_empty()) && e.endpoint_type != VpcEndpointType::Gateway {
            // Route tables belong to gateway endpoints only (code unverified).
            return Err(err(
                "InvalidParameterValue",
                format!("{id} is not a gateway endpoint; it has no route tables"),
            ));
        }
        let pl = self.endpoint_prefix_list(e);
        let vpc = e.vpc_id.clone();
        let new: Vec<RouteTableId> = add
            .iter()
            .filter(|t| !e.route_table_ids.contains(t))
            .cloned()
            .collect();
        self.check_endpoint_tables(&vpc, Some(id), &pl, &new, opts)?;
        // §1.14 "you can change the route tables that are used by the endpoint".
        self.add_endpoint_routes(id, &pl, &new);
        self.remove_endpoint_routes(id, remove);
        if let Some(e) = self.vpc_endpoints.get_mut(id) {
            e.route_table_ids.extend(new.iter().cloned());
            e.route_table_ids.retain(|t| !remove.contains(t));
        }
        let mut touched: Vec<String> = new.iter().chain(remove).map(|t| t.to_string()).collect();
        touched.push(id.to_string());
        Ok(effect(
            format!(
                "{id}: {pl} -> {id} added to {} table(s), removed from {}",
                new.len(),
                remove.len()
            ),
            touched,
            false,
        ))
    }

    pub(super) fn delete_vpc_endpoints(
        &mut self,
        ids: &[VpcEndpointId],
    ) -> Result<Effect, Ec2Error> {
        // [BC DeleteVpcEndpointsResult.Unsuccessful]: the call succeeds and reports the endpoints
        // it could not delete, item by item: unknown IDs, and GWLB endpoints that routes still
        // target ("GWLB endpoints can only be deleted after their routes are deleted", §1.14).
        let mut deleted = Vec::new();
        let mut unsuccessful = Vec::new();
        for id in ids {
            match self.vpc_endpoints.get(id) {
                None => unsuccessful.push(format!("{id} (not found)")),
                Some(e) if e.state == "deleted" => {
                    unsuccessful.push(format!("{id} (already deleted)"))
                }
                Some(e)
                    if e.endpoint_type == VpcEndpointType::GatewayLoadBalancer
                        && !self
                            .tables_routing_to(&Target::VpcEndpoint(id.clone()))
                            .is_empty() =>
                {
                    unsuccessful.push(format!("{id} (routes still target it)"))
                }
                Some(_) => deleted.push(id.clone()),
            }
        }
        let mut touched = Vec::new();
        for id in &deleted {
            let tables: Vec<RouteTableId> = self
                .route_tables
                .values()
                .filter(|t| {
                    t.routes
                        .values()
                        .any(|r| r.target == Target::VpcEndpoint(id.clone()))
                })
                .map(|t| t.id.clone())
                .collect();
            // §1.14, §3.4: gateway-endpoint routes are removed by the service, not blackholed.
            self.remove_endpoint_routes(id, &tables);
            touched.extend(tables.iter().map(|t| t.to_string()));
            touched.push(id.to_string());
            // Kept with state `deleted` (as describe-vpc-endpoints shows them for a while).
            if let Some(e) = self.vpc_endpoints.get_mut(id) {
                e.state = "deleted".into();
                e.route_table_ids.clear();
            }
            self.placeholders.remove(id.as_str());
        }
        let mut summary = if deleted.is_empty() {
            "no endpoint deleted".to_string()
        } else {
            format!(
                "deleted {} and their routes",
                deleted
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if !unsuccessful.is_empty() {
            summary.push_str(&format!("; unsuccessful: {}", unsuccessful.join(", ")));
        }
        Ok(effect(summary, touched, false))
    }
}

/// [EC2-ERR] InvalidVpcEndpointId.NotFound (wording unverified).
fn endpoint_not_found(id: &VpcEndpointId) -> Ec2Error {
    err(
        "InvalidVpcEndpointId.NotFound",
        format!("The vpcEndpoint ID '{id}' does not exist"),
    )
}
