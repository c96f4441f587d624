//! Remediation: the AWS CLI command (and the boto3 call) that reverts one applied change, built
//! from the change and the model as it was before it (product.md: "the exact command that would
//! undo it"). vpcsim prints these; it never runs them.

use crate::model::*;

/// How to undo one change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remediation {
    /// `aws ec2 …`
    pub cli: String,
    /// `ec2.…(…)` for a boto3 EC2 client named `ec2`.
    pub boto3: String,
    /// What to verify after reverting.
    pub check_next: String,
}

fn destination_args(d: &Destination) -> (String, String) {
    match d {
        Destination::Ipv4(n) => (
            format!("--destination-cidr-block {n}"),
            format!("DestinationCidrBlock='{n}'"),
        ),
        Destination::Ipv6(n) => (
            format!("--destination-ipv6-cidr-block {n}"),
            format!("DestinationIpv6CidrBlock='{n}'"),
        ),
        Destination::PrefixList(p) => (
            format!("--destination-prefix-list-id {p}"),
            format!("DestinationPrefixListId='{p}'"),
        ),
    }
}

/// The CLI flag and boto3 parameter naming a target, as CreateRoute takes it (§1.2).
fn target_args(t: &Target) -> Option<(String, String)> {
    let (flag, param) = match t {
        Target::Local => return Some(("--local-target".into(), "LocalTarget=True".into())),
        Target::InternetGateway(_) | Target::VpnGateway(_) => ("--gateway-id", "GatewayId"),
        Target::NatGateway(_) => ("--nat-gateway-id", "NatGatewayId"),
        Target::EgressOnlyInternetGateway(_) => (
            "--egress-only-internet-gateway-id",
            "EgressOnlyInternetGatewayId",
        ),
        Target::TransitGateway(_) => ("--transit-gateway-id", "TransitGatewayId"),
        Target::VpcPeeringConnection(_) => {
            ("--vpc-peering-connection-id", "VpcPeeringConnectionId")
        }
        Target::NetworkInterface(_) => ("--network-interface-id", "NetworkInterfaceId"),
        Target::Instance(_) => ("--instance-id", "InstanceId"),
        Target::VpcEndpoint(_) => ("--vpc-endpoint-id", "VpcEndpointId"),
        Target::CarrierGateway(_) => ("--carrier-gateway-id", "CarrierGatewayId"),
        Target::LocalGateway(_) => ("--local-gateway-id", "LocalGatewayId"),
        Target::CoreNetwork(_) => ("--core-network-arn", "CoreNetworkArn"),
        Target::OdbNetwork(_) | Target::Unknown(_) => return None,
    };
    Some((
        format!("{flag} {}", t.id()),
        format!("{param}='{}'", t.id()),
    ))
}

fn route(before: &Network, table: &RouteTableId, d: &Destination) -> Option<Route> {
    let t = before.route_tables.get(table)?;
    t.routes
        .get(&RouteKey {
            destination: d.clone(),
            propagated: false,
        })
        .cloned()
}

fn association(
    before: &Network,
    id: &RouteTableAssociationId,
) -> Option<(RouteTableId, AssociationTarget)> {
    // (Through the association index: a scan of every table cost milliseconds per change on a
    // large account.)
    let (t, a) = before.find_association(id)?;
    Some((t.id.clone(), a.target.clone()))
}

/// The command that undoes `change`, given the model just before it; `None` when no single
/// command can (a deleted NAT gateway cannot be undeleted, for example).
pub fn revert(change: &Change, before: &Network) -> Option<Remediation> {
    use Change::*;
    let r = |cli: String, boto3: String, check: &str| Remediation {
        cli,
        boto3,
        check_next: check.to_string(),
    };
    Some(match change {
        CreateRoute {
            route_table_id,
            destination,
            ..
        } => {
            let (d, db) = destination_args(destination);
            r(
                format!("aws ec2 delete-route --route-table-id {route_table_id} {d}"),
                format!("ec2.delete_route(RouteTableId='{route_table_id}', {db})"),
                "run `vpcsim replay` again (or `vpcsim reach`) to confirm the subnets are back to their previous class; look for other routes the same principal created",
            )
        }
        ReplaceRoute {
            route_table_id,
            destination,
            ..
        } => {
            let old = route(before, route_table_id, destination)?;
            let (d, db) = destination_args(destination);
            let (t, tb) = target_args(&old.target)?;
            r(
                format!("aws ec2 replace-route --route-table-id {route_table_id} {d} {t}"),
                format!("ec2.replace_route(RouteTableId='{route_table_id}', {db}, {tb})"),
                "confirm the previous target still exists and is attached, and that no other table was changed",
            )
        }
        DeleteRoute {
            route_table_id,
            destination,
        } => {
            let old = route(before, route_table_id, destination)?;
            if old.target == Target::Local {
                return None;
            }
            let (d, db) = destination_args(destination);
            let (t, tb) = target_args(&old.target)?;
            r(
                format!("aws ec2 create-route --route-table-id {route_table_id} {d} {t}"),
                format!("ec2.create_route(RouteTableId='{route_table_id}', {db}, {tb})"),
                "confirm the target still exists; traffic was dropped or rerouted while the route was missing",
            )
        }
        AssociateRouteTable {
            association_id: Some(a),
            ..
        } => r(
            format!("aws ec2 disassociate-route-table --association-id {a}"),
            format!("ec2.disassociate_route_table(AssociationId='{a}')"),
            "the subnet falls back to its VPC's main table: check what that table routes",
        ),
        DisassociateRouteTable { association_id } => {
            let (table, target) = association(before, association_id)?;
            let (t, tb) = match target {
                AssociationTarget::Subnet(s) => {
                    (format!("--subnet-id {s}"), format!("SubnetId='{s}'"))
                }
                AssociationTarget::Gateway(g) => {
                    (format!("--gateway-id {g}"), format!("GatewayId='{g}'"))
                }
                AssociationTarget::Main => return None,
            };
            r(
                format!("aws ec2 associate-route-table --route-table-id {table} {t}"),
                format!("ec2.associate_route_table(RouteTableId='{table}', {tb})"),
                "the association gets a new ID; update anything that refers to the old one",
            )
        }
        ReplaceRouteTableAssociation {
            association_id,
            new_association_id: Some(new),
            ..
        } => {
            let (old_table, _) = association(before, association_id)?;
            r(
                format!(
                    "aws ec2 replace-route-table-association --association-id {new} --route-table-id {old_table}"
                ),
                format!(
                    "ec2.replace_route_table_association(AssociationId='{new}', RouteTableId='{old_table}')"
                ),
                "when this was the main association, every subnet without its own table follows it back",
            )
        }
        AttachInternetGateway {
            internet_gateway_id,
            vpc_id,
        } => r(
            format!(
                "aws ec2 detach-internet-gateway --internet-gateway-id {internet_gateway_id} --vpc-id {vpc_id}"
            ),
            format!(
                "ec2.detach_internet_gateway(InternetGatewayId='{internet_gateway_id}', VpcId='{vpc_id}')"
            ),
            "detaching fails while public addresses are mapped in the VPC (DependencyViolation)",
        ),
        DetachInternetGateway {
            internet_gateway_id,
            vpc_id,
        } => r(
            format!(
                "aws ec2 attach-internet-gateway --internet-gateway-id {internet_gateway_id} --vpc-id {vpc_id}"
            ),
            format!(
                "ec2.attach_internet_gateway(InternetGatewayId='{internet_gateway_id}', VpcId='{vpc_id}')"
            ),
            "routes to the gateway become active again",
        ),
        EnableVgwRoutePropagation {
            route_table_id,
            gateway_id,
        } => r(
            format!(
                "aws ec2 disable-vgw-route-propagation --route-table-id {route_table_id} --gateway-id {gateway_id}"
            ),
            format!(
                "ec2.disable_vgw_route_propagation(RouteTableId='{route_table_id}', GatewayId='{gateway_id}')"
            ),
            "propagated routes disappear from the table",
        ),
        DisableVgwRoutePropagation {
            route_table_id,
            gateway_id,
        } => r(
            format!(
                "aws ec2 enable-vgw-route-propagation --route-table-id {route_table_id} --gateway-id {gateway_id}"
            ),
            format!(
                "ec2.enable_vgw_route_propagation(RouteTableId='{route_table_id}', GatewayId='{gateway_id}')"
            ),
            "the VPN's prefixes come back as propagated routes",
        ),
        CreateVpcPeeringConnection {
            vpc_peering_connection_id: Some(p),
            ..
        }
        | AcceptVpcPeeringConnection {
            vpc_peering_connection_id: p,
        } => r(
            format!("aws ec2 delete-vpc-peering-connection --vpc-peering-connection-id {p}"),
            format!("ec2.delete_vpc_peering_connection(VpcPeeringConnectionId='{p}')"),
            "routes to the peering connection become blackhole; remove them too",
        ),
        // An address already associated: back where it was (AllowReassociation), or nothing
        // to undo when the call put it where it already was.
        AssociateAddress {
            allocation_id,
            public_ip,
            network_interface_id,
            instance_id,
            private_ip,
            ..
        } if previous_holder(before, allocation_id.as_ref(), *public_ip).is_some() => {
            let (address, eni, ip) = previous_holder(before, allocation_id.as_ref(), *public_ip)?;
            // Where the call puts it: the interface named, else the instance's; the private
            // address named, else the interface's first.
            let new_eni = match (network_interface_id, instance_id) {
                (Some(e), _) => Some(e.clone()),
                (None, Some(i)) => before.instance_interface(i).map(|e| e.id.clone()),
                (None, None) => None,
            };
            let new_private = private_ip.or_else(|| {
                new_eni
                    .as_ref()
                    .and_then(|e| before.network_interfaces.get(e))
                    .and_then(|e| e.private_ips.first().copied())
            });
            if new_eni.as_ref() == Some(eni) && new_private == ip {
                return None;
            }
            let (cli, boto3) = associate_again(address, eni, ip, true);
            r(
                cli,
                boto3,
                &format!(
                    "the address goes back to {eni}; check no connection from the internet reached the host it was moved to while it held {} (VPC Flow Logs)",
                    address.public_ip
                ),
            )
        }
        // The association the call made; its ID is in the record's response when AWS gave it.
        AssociateAddress {
            association_id: Some(a),
            ..
        } => r(
            format!("aws ec2 disassociate-address --association-id {a}"),
            format!("ec2.disassociate_address(AssociationId='{a}')"),
            "check no connection from the internet reached the host while the address was on it (VPC Flow Logs)",
        ),
        AssociateAddress {
            allocation_id: Some(a),
            ..
        } => r(
            format!(
                "aws ec2 disassociate-address --association-id $(aws ec2 describe-addresses --allocation-ids {a} --query 'Addresses[0].AssociationId' --output text)"
            ),
            format!(
                "ec2.disassociate_address(AssociationId=ec2.describe_addresses(AllocationIds=['{a}'])['Addresses'][0]['AssociationId'])"
            ),
            "check no connection from the internet reached the host while the address was on it (VPC Flow Logs)",
        ),
        // The address back on the interface (and private address) it left.
        DisassociateAddress {
            association_id,
            public_ip,
        } => {
            let address = before.addresses.iter().find(|x| {
                x.network_interface_id.is_some()
                    && match (association_id, public_ip) {
                        (Some(a), _) => x.association_id.as_ref() == Some(a),
                        (None, Some(p)) => x.public_ip == *p,
                        (None, None) => false,
                    }
            })?;
            let eni = address.network_interface_id.as_ref()?;
            let (cli, boto3) = associate_again(address, eni, address.private_ip, false);
            r(
                cli,
                boto3,
                &format!(
                    "{} is reachable from the internet at {} again: put it back only if that is intended",
                    eni, address.public_ip
                ),
            )
        }
        DeleteNatGateway { nat_gateway_id } => return recreate_nat_gateway(before, nat_gateway_id),
        DeleteSubnet { subnet_id } => return recreate_subnet(before, subnet_id),
        DeleteVpcPeeringConnection {
            vpc_peering_connection_id,
        }
        | RejectVpcPeeringConnection {
            vpc_peering_connection_id,
        } => return recreate_peering(before, vpc_peering_connection_id),
        DeleteVpcEndpoints { vpc_endpoint_ids } => {
            let mut cli = Vec::new();
            let mut boto3 = Vec::new();
            for id in vpc_endpoint_ids {
                let Some(e) = before.vpc_endpoints.get(id) else {
                    continue;
                };
                let Some(service) = &e.service_name else {
                    continue;
                };
                let (kind, py_kind) = match e.endpoint_type {
                    VpcEndpointType::Gateway => ("Gateway", "Gateway"),
                    VpcEndpointType::GatewayLoadBalancer => {
                        ("GatewayLoadBalancer", "GatewayLoadBalancer")
                    }
                    _ => ("Interface", "Interface"),
                };
                let mut c = format!(
                    "aws ec2 create-vpc-endpoint --vpc-id {} --service-name {service} --vpc-endpoint-type {kind}",
                    e.vpc_id
                );
                let mut b = format!(
                    "ec2.create_vpc_endpoint(VpcId='{}', ServiceName='{service}', VpcEndpointType='{py_kind}'",
                    e.vpc_id
                );
                let list = |v: Vec<String>| v.join(" ");
                let tables: Vec<String> = e.route_table_ids.iter().map(|t| t.to_string()).collect();
                let subnets: Vec<String> = e.subnet_ids.iter().map(|t| t.to_string()).collect();
                if !tables.is_empty() {
                    c.push_str(&format!(" --route-table-ids {}", list(tables.clone())));
                    b.push_str(&format!(", RouteTableIds=['{}']", tables.join("', '")));
                }
                if !subnets.is_empty() {
                    c.push_str(&format!(" --subnet-ids {}", list(subnets.clone())));
                    b.push_str(&format!(", SubnetIds=['{}']", subnets.join("', '")));
                }
                b.push(')');
                cli.push(c);
                boto3.push(b);
            }
            if cli.is_empty() {
                return None;
            }
            r(
                cli.join(" && "),
                boto3.join("; "),
                "a deleted endpoint cannot be restored: this creates another for the same service (a gateway endpoint puts its prefix-list routes back in the listed tables; routes that named a Gateway Load Balancer endpoint must be pointed at the new one, and an endpoint policy set on the old one set again)",
            )
        }
        DeleteTransitGatewayVpcAttachment {
            transit_gateway_attachment_id,
        } => {
            let a = before
                .transit_gateway_attachments
                .get(transit_gateway_attachment_id)?;
            let subnets: Vec<String> = a.subnet_ids.iter().map(|s| s.to_string()).collect();
            if subnets.is_empty() {
                return None;
            }
            r(
                format!(
                    "aws ec2 create-transit-gateway-vpc-attachment --transit-gateway-id {} --vpc-id {} --subnet-ids {}",
                    a.transit_gateway_id,
                    a.vpc_id,
                    subnets.join(" ")
                ),
                format!(
                    "ec2.create_transit_gateway_vpc_attachment(TransitGatewayId='{}', VpcId='{}', SubnetIds=['{}'])",
                    a.transit_gateway_id,
                    a.vpc_id,
                    subnets.join("', '")
                ),
                "the attachment gets a new ID: associate it with the transit gateway route table and propagations the old one had (vpcsim does not model those), and accept it in the transit gateway's account if that is another",
            )
        }
        AttachVpnGateway {
            vpn_gateway_id,
            vpc_id,
        } => r(
            format!(
                "aws ec2 detach-vpn-gateway --vpn-gateway-id {vpn_gateway_id} --vpc-id {vpc_id}"
            ),
            format!("ec2.detach_vpn_gateway(VpnGatewayId='{vpn_gateway_id}', VpcId='{vpc_id}')"),
            "routes to the gateway become blackhole; its propagated routes disappear",
        ),
        DetachVpnGateway {
            vpn_gateway_id,
            vpc_id,
        } => r(
            format!(
                "aws ec2 attach-vpn-gateway --vpn-gateway-id {vpn_gateway_id} --vpc-id {vpc_id}"
            ),
            format!("ec2.attach_vpn_gateway(VpnGatewayId='{vpn_gateway_id}', VpcId='{vpc_id}')"),
            "routes to the gateway become active again; propagated routes come back once the VPN's BGP sessions are up",
        ),
        CreateSubnet {
            subnet_id: Some(id),
            ..
        } => r(
            format!("aws ec2 delete-subnet --subnet-id {id}"),
            format!("ec2.delete_subnet(SubnetId='{id}')"),
            "deleting fails while the subnet holds interfaces (DependencyViolation): find them first",
        ),
        CreateVpc {
            vpc_id: Some(id), ..
        } => r(
            format!("aws ec2 delete-vpc --vpc-id {id}"),
            format!("ec2.delete_vpc(VpcId='{id}')"),
            "deleting fails while the VPC has subnets, gateways or endpoints (DependencyViolation)",
        ),
        AssociateVpcCidrBlock {
            association_id: Some(a),
            ..
        } => r(
            format!("aws ec2 disassociate-vpc-cidr-block --association-id {a}"),
            format!("ec2.disassociate_vpc_cidr_block(AssociationId='{a}')"),
            "disassociating fails while a subnet uses the block",
        ),
        DisassociateVpcCidrBlock {
            association_id,
            cidr_block,
        } => {
            // The VPC and block from the model before, when the record did not say.
            let (vpc, block) = before.vpcs.iter().find_map(|(id, v)| {
                v.cidr_associations
                    .get(association_id)
                    .map(|c| (id.clone(), *c))
            })?;
            let block = cidr_block.unwrap_or(block);
            let (flag, param) = match block {
                ipnet::IpNet::V4(_) => ("--cidr-block", "CidrBlock"),
                ipnet::IpNet::V6(_) => ("--ipv6-cidr-block", "Ipv6CidrBlock"),
            };
            r(
                format!("aws ec2 associate-vpc-cidr-block --vpc-id {vpc} {flag} {block}"),
                format!("ec2.associate_vpc_cidr_block(VpcId='{vpc}', {param}='{block}')"),
                "the block gets a new association ID; an IPv6 block from Amazon's pool may not be given back",
            )
        }
        CreateVpcEndpoint {
            vpc_endpoint_id: Some(e),
            ..
        } => r(
            format!("aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {e}"),
            format!("ec2.delete_vpc_endpoints(VpcEndpointIds=['{e}'])"),
            "the endpoint's routes leave its route tables with it",
        ),
        ModifyVpcEndpoint {
            vpc_endpoint_id,
            add_route_table_ids,
            remove_route_table_ids,
        } if !add_route_table_ids.is_empty() || !remove_route_table_ids.is_empty() => {
            let list = |ids: &[RouteTableId]| ids.iter().map(|t| t.to_string()).collect::<Vec<_>>();
            let (add, remove) = (list(remove_route_table_ids), list(add_route_table_ids));
            let mut cli =
                format!("aws ec2 modify-vpc-endpoint --vpc-endpoint-id {vpc_endpoint_id}");
            let mut boto3 = format!("ec2.modify_vpc_endpoint(VpcEndpointId='{vpc_endpoint_id}'");
            if !add.is_empty() {
                cli.push_str(&format!(" --add-route-table-ids {}", add.join(" ")));
                boto3.push_str(&format!(", AddRouteTableIds=['{}']", add.join("', '")));
            }
            if !remove.is_empty() {
                cli.push_str(&format!(" --remove-route-table-ids {}", remove.join(" ")));
                boto3.push_str(&format!(
                    ", RemoveRouteTableIds=['{}']",
                    remove.join("', '")
                ));
            }
            boto3.push(')');
            r(
                cli,
                boto3,
                "the endpoint's prefix-list routes follow its route tables",
            )
        }
        CreateTransitGatewayVpcAttachment {
            transit_gateway_attachment_id: Some(a),
            ..
        } => r(
            format!(
                "aws ec2 delete-transit-gateway-vpc-attachment --transit-gateway-attachment-id {a}"
            ),
            format!("ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId='{a}')"),
            "routes to the transit gateway in the VPC become blackhole",
        ),
        ModifyNetworkInterfaceAttribute {
            network_interface_id,
            source_dest_check: Some(now),
        } => {
            let was = before
                .network_interfaces
                .get(network_interface_id)
                .map(|e| e.source_dest_check)?;
            if was == *now {
                return None;
            }
            let (flag, py) = if was {
                ("--source-dest-check", "True")
            } else {
                ("--no-source-dest-check", "False")
            };
            r(
                format!(
                    "aws ec2 modify-network-interface-attribute --network-interface-id {network_interface_id} {flag}"
                ),
                format!(
                    "ec2.modify_network_interface_attribute(NetworkInterfaceId='{network_interface_id}', SourceDestCheck={{'Value': {py}}})"
                ),
                "routes through the interface forward (check off) or stop at it (check on) again",
            )
        }
        RunInstances { instances } if !instances.is_empty() => {
            let ids: Vec<String> = instances
                .iter()
                .map(|i| i.instance_id.to_string())
                .collect();
            r(
                format!(
                    "aws ec2 terminate-instances --instance-ids {}",
                    ids.join(" ")
                ),
                format!(
                    "ec2.terminate_instances(InstanceIds=['{}'])",
                    ids.join("', '")
                ),
                "terminating destroys the instances' disks unless kept: stop them instead if they must be inspected (check VPC Flow Logs for what reached them)",
            )
        }
        _ => return None,
    })
}

/// A deleted NAT gateway cannot come back, but its function can: a new one in the same subnet
/// (with the Elastic IP the old one held, released to the account when it was deleted, or
/// private again), then every route that sent traffic to the old one pointed at the new one.
/// The CLI is one Bash line that carries the new ID from command to command and waits for the
/// gateway to be available before the routes use it.
fn recreate_nat_gateway(before: &Network, nat: &NatGatewayId) -> Option<Remediation> {
    let gw = before.nat_gateways.get(nat)?;
    let subnet = &gw.subnet_id;
    let (create_cli, create_py) = match gw.connectivity {
        ConnectivityType::Private => (
            format!("--subnet-id {subnet} --connectivity-type private"),
            format!("SubnetId='{subnet}', ConnectivityType='private'"),
        ),
        ConnectivityType::Public => {
            let ip = gw.public_ips.first()?;
            match before
                .addresses
                .iter()
                .find(|a| a.public_ip == *ip)
                .and_then(|a| a.allocation_id.as_ref())
            {
                Some(a) => (
                    format!("--subnet-id {subnet} --allocation-id {a}"),
                    format!("SubnetId='{subnet}', AllocationId='{a}'"),
                ),
                // The allocation of the address, looked up by the address.
                None => (
                    format!(
                        "--subnet-id {subnet} --allocation-id $(aws ec2 describe-addresses --public-ips {ip} --query 'Addresses[0].AllocationId' --output text)"
                    ),
                    format!(
                        "SubnetId='{subnet}', AllocationId=ec2.describe_addresses(PublicIps=['{ip}'])['Addresses'][0]['AllocationId']"
                    ),
                ),
            }
        }
    };
    let target = Target::NatGateway(nat.clone());
    let mut cli = format!(
        "NAT=$(aws ec2 create-nat-gateway {create_cli} --query NatGateway.NatGatewayId --output text) && aws ec2 wait nat-gateway-available --nat-gateway-ids \"$NAT\""
    );
    let mut boto3 = format!(
        "nat = ec2.create_nat_gateway({create_py})['NatGateway']['NatGatewayId']; ec2.get_waiter('nat_gateway_available').wait(NatGatewayIds=[nat])"
    );
    let routes = repoint_routes(
        before,
        &target,
        ("--nat-gateway-id", "NAT"),
        ("NatGatewayId", "nat"),
        (&mut cli, &mut boto3),
    );
    Some(Remediation {
        cli,
        boto3,
        check_next: format!(
            "a deleted NAT gateway cannot be restored: this creates another in {subnet} and points the {routes} route(s) that used {nat} at it; the new gateway has a new ID, and connections through the old one are gone"
        ),
    })
}

/// Appends to a rebuilding revert the replace-route of every static route that sent traffic to
/// `old`, now to what the line made: the CLI `flag` with the shell variable `var`, the boto3
/// `param` with the Python variable. Returns how many routes.
fn repoint_routes(
    before: &Network,
    old: &Target,
    (flag, var): (&str, &str),
    (param, py_var): (&str, &str),
    (cli, boto3): (&mut String, &mut String),
) -> usize {
    let mut routes = 0;
    for t in before.route_tables.values() {
        for r in t.routes.values() {
            if &r.target == old && !r.origin.is_propagated() {
                let (d, db) = destination_args(&r.destination);
                cli.push_str(&format!(
                    " && aws ec2 replace-route --route-table-id {} {d} {flag} \"${var}\"",
                    t.id
                ));
                boto3.push_str(&format!(
                    "; ec2.replace_route(RouteTableId='{}', {db}, {param}={py_var})",
                    t.id
                ));
                routes += 1;
            }
        }
    }
    routes
}

/// A deleted subnet cannot come back, but its address range can: another subnet with the same
/// CIDRs in the same zone, put back on the route table it was explicitly associated with (one
/// on its VPC's main table needs nothing more). Its interfaces and instances are gone with it.
fn recreate_subnet(before: &Network, subnet: &SubnetId) -> Option<Remediation> {
    let s = before.subnets.get(subnet)?;
    let v4 = s.ipv4_cidr?;
    let mut create = format!("--vpc-id {} --cidr-block {v4}", s.vpc_id);
    let mut create_py = format!("VpcId='{}', CidrBlock='{v4}'", s.vpc_id);
    if let Some(v6) = s.ipv6_cidrs.first() {
        create.push_str(&format!(" --ipv6-cidr-block {v6}"));
        create_py.push_str(&format!(", Ipv6CidrBlock='{v6}'"));
    }
    if let Some(az) = &s.availability_zone {
        create.push_str(&format!(" --availability-zone {az}"));
        create_py.push_str(&format!(", AvailabilityZone='{az}'"));
    }
    let explicit = match before.effective_route_table(subnet) {
        Some((t, AssociationKind::Explicit)) => Some(t.clone()),
        _ => None,
    };
    let (cli, boto3) = match &explicit {
        Some(t) => (
            format!(
                "SUBNET=$(aws ec2 create-subnet {create} --query Subnet.SubnetId --output text) && aws ec2 associate-route-table --route-table-id {t} --subnet-id \"$SUBNET\""
            ),
            format!(
                "subnet = ec2.create_subnet({create_py})['Subnet']['SubnetId']; ec2.associate_route_table(RouteTableId='{t}', SubnetId=subnet)"
            ),
        ),
        None => (
            format!("aws ec2 create-subnet {create}"),
            format!("ec2.create_subnet({create_py})"),
        ),
    };
    Some(Remediation {
        cli,
        boto3,
        check_next: format!(
            "a deleted subnet cannot be restored: this makes another with {subnet}'s addresses{}; its interfaces and instances, and any route naming them, are gone and must be rebuilt",
            match &explicit {
                Some(t) => format!(" and associates it with {t} again"),
                None => " (on the VPC's main table, as it was)".to_string(),
            }
        ),
    })
}

/// A deleted or rejected peering connection cannot come back: another one between the same
/// VPCs, accepted, and every route that used the old one pointed at it (the new ID carried in a
/// shell variable, as for a NAT gateway).
fn recreate_peering(before: &Network, pcx: &VpcPeeringConnectionId) -> Option<Remediation> {
    let p = before.vpc_peering_connections.get(pcx)?;
    let (req, acc) = (&p.requester, &p.accepter);
    let mut create = format!("--vpc-id {} --peer-vpc-id {}", req.vpc_id, acc.vpc_id);
    let mut create_py = format!("VpcId='{}', PeerVpcId='{}'", req.vpc_id, acc.vpc_id);
    let other_account = acc.owner_id.is_some() && acc.owner_id != req.owner_id;
    if let (true, Some(o)) = (other_account, &acc.owner_id) {
        create.push_str(&format!(" --peer-owner-id {o}"));
        create_py.push_str(&format!(", PeerOwnerId='{o}'"));
    }
    let other_region = acc.region.is_some() && acc.region != req.region;
    if let (true, Some(r)) = (other_region, &acc.region) {
        create.push_str(&format!(" --peer-region {r}"));
        create_py.push_str(&format!(", PeerRegion='{r}'"));
    }
    let mut cli = format!(
        "PCX=$(aws ec2 create-vpc-peering-connection {create} --query VpcPeeringConnection.VpcPeeringConnectionId --output text)"
    );
    let mut boto3 = format!(
        "pcx = ec2.create_vpc_peering_connection({create_py})['VpcPeeringConnection']['VpcPeeringConnectionId']"
    );
    if !other_account && !other_region {
        cli.push_str(
            " && aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id \"$PCX\"",
        );
        boto3.push_str("; ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)");
    }
    let target = Target::VpcPeeringConnection(pcx.clone());
    let routes = repoint_routes(
        before,
        &target,
        ("--vpc-peering-connection-id", "PCX"),
        ("VpcPeeringConnectionId", "pcx"),
        (&mut cli, &mut boto3),
    );
    let accept = if other_account || other_region {
        "the accepter's account (or region) must accept the new connection before its routes carry traffic; "
    } else {
        ""
    };
    Some(Remediation {
        cli,
        boto3,
        check_next: format!(
            "a deleted or rejected peering connection cannot be restored: this makes another between {} and {} and points the {routes} route(s) that used {pcx} at it; {accept}routes in tables the snapshot does not hold (a peer account's) need the same",
            req.vpc_id, acc.vpc_id
        ),
    })
}

/// The Elastic IP a call names (by allocation ID, else by public IP), with the interface and
/// private address that held it in `before`; `None` when it was not associated.
fn previous_holder<'a>(
    before: &'a Network,
    allocation: Option<&AllocationId>,
    public: Option<std::net::Ipv4Addr>,
) -> Option<(
    &'a Address,
    &'a NetworkInterfaceId,
    Option<std::net::Ipv4Addr>,
)> {
    let address = before.addresses.iter().find(|x| match allocation {
        Some(a) => x.allocation_id.as_ref() == Some(a),
        None => public.is_some_and(|p| x.public_ip == p),
    })?;
    let eni = address.network_interface_id.as_ref()?;
    Some((address, eni, address.private_ip))
}

/// `associate-address` putting `address` on `eni` (at `private`), as CLI and boto3 calls;
/// `reassociate` when the address is on another interface now.
fn associate_again(
    address: &Address,
    eni: &NetworkInterfaceId,
    private: Option<std::net::Ipv4Addr>,
    reassociate: bool,
) -> (String, String) {
    let (who_cli, who_py) = match &address.allocation_id {
        Some(a) => (
            format!("--allocation-id {a}"),
            format!("AllocationId='{a}'"),
        ),
        // (A VPC address needs its allocation ID, which the input did not give: looked up.)
        None => (
            format!(
                "--allocation-id $(aws ec2 describe-addresses --public-ips {} --query 'Addresses[0].AllocationId' --output text)",
                address.public_ip
            ),
            format!(
                "AllocationId=ec2.describe_addresses(PublicIps=['{}'])['Addresses'][0]['AllocationId']",
                address.public_ip
            ),
        ),
    };
    let mut cli = format!("aws ec2 associate-address {who_cli} --network-interface-id {eni}");
    let mut py = format!("ec2.associate_address({who_py}, NetworkInterfaceId='{eni}'");
    if let Some(p) = private {
        cli.push_str(&format!(" --private-ip-address {p}"));
        py.push_str(&format!(", PrivateIpAddress='{p}'"));
    }
    if reassociate {
        cli.push_str(" --allow-reassociation");
        py.push_str(", AllowReassociation=True");
    }
    py.push(')');
    (cli, py)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An address the input knows only by its public IP (an old describe-addresses row) is put
    /// back by the allocation ID looked up from that IP: a VPC address needs one.
    #[test]
    fn an_address_without_allocation_id_is_looked_up() {
        let address = Address {
            allocation_id: None,
            public_ip: "198.51.100.7".parse().expect("address"),
            network_interface_id: None,
            instance_id: None,
            private_ip: None,
            association_id: None,
        };
        let eni = NetworkInterfaceId::new("eni-1");
        let (cli, py) = associate_again(&address, &eni, "10.0.0.5".parse().ok(), false);
        assert_eq!(
            cli,
            "aws ec2 associate-address --allocation-id $(aws ec2 describe-addresses --public-ips 198.51.100.7 --query 'Addresses[0].AllocationId' --output text) --network-interface-id eni-1 --private-ip-address 10.0.0.5"
        );
        assert_eq!(
            py,
            "ec2.associate_address(AllocationId=ec2.describe_addresses(PublicIps=['198.51.100.7'])['Addresses'][0]['AllocationId'], NetworkInterfaceId='eni-1', PrivateIpAddress='10.0.0.5')"
        );
    }
}
